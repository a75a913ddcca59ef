import { z } from 'zod';
import { timestamp } from '../openapi/responses';

export const opportunity = z.object({
  id: z.string(),
  scanId: z.string(),
  symbol: z.string(),
  buyVenue: z.string(),
  sellVenue: z.string(),
  buyPrice: z.number(),
  sellPrice: z.number(),
  grossSpreadBps: z.number(),
  feesBps: z.number(),
  netSpreadBps: z.number(),
  anomalyScore: z.number(),
  detectedAt: timestamp,
  expiresAt: timestamp,
});
export const opportunities = z.object({ opportunities: z.array(opportunity) });
export const scanQueued = z.object({ jobId: z.string() });
