import { z } from 'zod';

/** GET /events: the caller's logged live events after a sequence number (event-log.ts). */
export const eventsPage = z.object({
  events: z.array(
    z.object({
      event: z.string(),
      payload: z
        .object({
          eventId: z.string(),
          seq: z.int().min(1),
          currency: z.string().optional(),
          scale: z.int().optional(),
        })
        .loose(),
    }),
  ),
  lastSeq: z.int().min(0),
  truncated: z.boolean(),
});
