import { z } from 'zod';
import { KYC_STATUSES } from '../../kernel/db/entities/user';
import { timestamp } from '../openapi/responses';
import { KYC_PROVIDERS } from './rules';

const caseStatus = z.enum(['PENDING', 'AWAITING_USER', 'APPROVED', 'REJECTED']);

/** POST /kyc/start (202). */
export const kycStarted = z.object({
  workflowId: z.string(),
  status: caseStatus,
  attempt: z.int().min(1),
  provider: z.enum(KYC_PROVIDERS),
  resubmitted: z.boolean(),
});

/** A KYC record as the API shows it (repository.ts publicKyc). */
export const kycRecord = z.object({
  userId: z.uuid(),
  status: z.enum(KYC_STATUSES),
  provider: z.string(),
  providerId: z.string().nullable(),
  attempts: z.int(),
  awaitingUser: z.boolean(),
  needsManualReview: z.boolean(),
  notes: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  approvedAt: timestamp.nullable(),
  rejectedAt: timestamp.nullable(),
  workflowId: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** GET /kyc/status. */
export const kycStatus = z.object({
  user: z.object({
    id: z.uuid(),
    email: z.string(),
    fullName: z.string(),
    status: z.string(),
    kycStatus: z.enum(KYC_STATUSES),
  }),
  kyc: kycRecord.nullable(),
});

/** POST /kyc/webhook/:provider: what became of a delivery whose signature checked out. */
export const webhookReceived = z.object({
  received: z.literal(true),
  outcome: z.enum(['signalled', 'duplicate', 'ignored', 'unknown-applicant', 'no-active-case']),
});

/** GET /kyc/admin/pending. */
export const pendingCases = z.object({
  items: z.array(
    kycRecord.extend({ user: z.object({ email: z.string().optional(), fullName: z.string().optional() }) }),
  ),
  total: z.int(),
  limit: z.int(),
  offset: z.int(),
});

/** PUT /kyc/admin/:userId/approve and /reject: the case after the decision. */
export const kycDecided = z.object({
  userId: z.uuid(),
  status: caseStatus,
  decidedBy: z.object({ type: z.enum(['PROVIDER', 'ADMIN', 'SYSTEM']), id: z.string() }).nullable(),
  reason: z.string().nullable(),
});
