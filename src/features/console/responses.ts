import { z } from 'zod';

/** GET /console/socket-token: a short-lived token the console's socket connects with. */
export const socketToken = z.object({ token: z.string() });
