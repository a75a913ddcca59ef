import { z } from 'zod';
import { timestamp } from '../openapi/responses';

/** What /auth answers (test/integration/openapi.test.ts and every integration test check it). */
export const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(['USER', 'ADMIN', 'MASTER']),
  status: z.string(),
  country: z.string(),
  kycStatus: z.string(),
  createdAt: timestamp,
});

export const authResult = z.object({ user: publicUser, token: z.string() });
export const meResult = z.object({ user: publicUser });
