import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';
import { KYC_STATUSES, type KycStatus } from './user';

/** The seed's KYC model plus what the workflow needs (workflow id, attempts, last provider event). */
export class Kyc {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'attempts' | 'needsManualReview';
  id!: string;
  userId!: string;
  status!: KycStatus;
  /** SUMSUB, ONFIDO, VERIFF or LOCAL. */
  provider!: string;
  providerId?: string | null;
  documents?: unknown;
  notes?: string | null;
  reviewedBy?: string | null;
  approvedAt?: Date | null;
  rejectedAt?: Date | null;
  workflowId!: string;
  attempts = 1;
  /** True while the case waits for the user to resubmit (provider asked for a retry). */
  awaitingUser?: boolean;
  needsManualReview = false;
  lastProviderEventAt?: Date | null;
  lastProviderEvent?: unknown;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const KycSchema = new EntitySchema<Kyc>({
  class: Kyc,
  tableName: 'kyc',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    userId: { type: 'uuid', unique: true },
    status: { enum: true, items: () => KYC_STATUSES as unknown as string[], type: 'string' },
    provider: { type: 'string' },
    providerId: { type: 'string', nullable: true },
    documents: { type: 'json', nullable: true },
    notes: { type: 'text', nullable: true },
    reviewedBy: { type: 'string', nullable: true },
    approvedAt: { type: 'Date', nullable: true },
    rejectedAt: { type: 'Date', nullable: true },
    workflowId: { type: 'string' },
    attempts: { type: 'integer' },
    awaitingUser: { type: 'boolean' },
    needsManualReview: { type: 'boolean' },
    lastProviderEventAt: { type: 'Date', nullable: true },
    lastProviderEvent: { type: 'json', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export type { KycStatus };

/** Every provider delivery we accepted, unique per (provider, event id): a redelivery is a no-op. */
export class WebhookEvent {
  [OptionalProps]?: 'receivedAt';
  id!: number;
  provider!: string;
  eventId!: string;
  userId?: string | null;
  providerId?: string | null;
  outcome!: string;
  receivedAt: Date = new Date();
}

export const WebhookEventSchema = new EntitySchema<WebhookEvent>({
  class: WebhookEvent,
  tableName: 'webhook_events',
  uniques: [{ properties: ['provider', 'eventId'] }],
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    provider: { type: 'string' },
    eventId: { type: 'string' },
    userId: { type: 'uuid', nullable: true },
    providerId: { type: 'string', nullable: true },
    outcome: { type: 'string' },
    receivedAt: { type: 'Date', onCreate: () => new Date() },
  },
});
