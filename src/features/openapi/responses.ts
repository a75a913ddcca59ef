import { z } from 'zod';

/**
 * The one error shape every route answers with (4XX/5XX). The success shapes live next to their
 * routes (`src/features/<feature>/responses.ts`); the test HTTP client checks every response of
 * the integration tests against the document built from them.
 */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

/** A time as JSON carries it: ISO 8601. */
export const timestamp = z.string().describe('ISO 8601 date-time');
