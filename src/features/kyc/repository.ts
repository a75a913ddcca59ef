import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Kyc, type KycStatus } from '../../kernel/db/entities/kyc';
import { User } from '../../kernel/db/entities/user';
import { AppError } from '../../kernel/errors';
import type { ReadDb } from '../../kernel/db/read-pool';
import type { KycActor, KycProviderName, ProviderResult } from './rules';
import { audit } from '../../kernel/audit';
import { recordOutbox } from '../../kernel/outbox';
import { emailMessage } from '../notifications/email-queue';
import { ADMINS_ROOM, liveEvent, userRoom } from '../realtime/events';
import { recordWebhookEvent } from '../webhooks/events';

/**
 * The database side of a KYC case. Every function is idempotent (activities are retried) and
 * writes its audit row in the same transaction as the change it describes.
 */

const caseTarget = (userId: string) => ({ targetType: 'kyc', targetId: userId });

/** Opens the case (or a new attempt of it) as PENDING, and User.kycStatus with it. */
export async function recordPending(
  em: EntityManager,
  input: { userId: string; provider: KycProviderName; workflowId: string; attempt: number },
): Promise<void> {
  await em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: input.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    let kyc = await tx.findOne(Kyc, { userId: input.userId });
    if (
      kyc &&
      kyc.status === 'PENDING' &&
      kyc.attempts === input.attempt &&
      kyc.workflowId === input.workflowId &&
      !kyc.awaitingUser
    ) {
      return; // already recorded (activity retry)
    }
    const before = kyc ? { status: kyc.status, attempts: kyc.attempts } : null;
    if (!kyc) {
      kyc = tx.create(Kyc, {
        userId: input.userId,
        status: 'PENDING',
        provider: input.provider,
        workflowId: input.workflowId,
      });
    }
    Object.assign(kyc, {
      status: 'PENDING',
      provider: input.provider,
      providerId: null,
      workflowId: input.workflowId,
      attempts: input.attempt,
      awaitingUser: false,
      needsManualReview: false,
    });
    user.kycStatus = 'PENDING';
    audit(tx, {
      actor: { type: 'USER', id: input.userId },
      action: input.attempt === 1 ? 'kyc.started' : 'kyc.resubmitted',
      ...caseTarget(input.userId),
      before,
      after: { status: 'PENDING', provider: input.provider, attempt: input.attempt },
    });
    const at = new Date().toISOString();
    await recordOutbox(
      tx,
      liveEvent(userRoom(input.userId), 'kyc:status', { userId: input.userId, status: 'PENDING', at }),
      // The admins: a new case in the console's KYC queue appears without a reload.
      liveEvent(ADMINS_ROOM, 'admin:alert', {
        kind: 'kyc.pending',
        message: `KYC of user ${input.userId} awaits review (${input.provider}, attempt ${input.attempt})`,
        subject: input.userId,
        at,
      }),
    );
  });
}

export async function storeProviderId(em: EntityManager, userId: string, providerId: string): Promise<void> {
  await em.execute(`update kyc set provider_id = ?, updated_at = now() where user_id = ?`, [providerId, userId]);
}

/** Remembers the newest provider event applied (the workflow orders them; this is for people). */
export async function recordProviderEvent(em: EntityManager, userId: string, result: ProviderResult): Promise<void> {
  await em.execute(
    `update kyc set last_provider_event_at = to_timestamp(? / 1000.0), last_provider_event = ?, updated_at = now() where user_id = ?`,
    [result.occurredAt, JSON.stringify(result), userId],
  );
}

export async function markAwaitingUser(em: EntityManager, userId: string, reason: string | null): Promise<void> {
  await em.transactional(async (tx) => {
    const kyc = await tx.findOneOrFail(Kyc, { userId });
    if (kyc.awaitingUser) return;
    kyc.awaitingUser = true;
    audit(tx, {
      actor: { type: 'PROVIDER', id: kyc.provider },
      action: 'kyc.resubmission_requested',
      ...caseTarget(userId),
      before: { awaitingUser: false },
      after: { awaitingUser: true, attempt: kyc.attempts },
      reason,
    });
    await recordOutbox(
      tx,
      liveEvent(userRoom(userId), 'kyc:status', {
        userId,
        status: 'RESUBMISSION_REQUESTED',
        reason,
        at: new Date().toISOString(),
      }),
    );
  });
}

export async function flagManualReview(em: EntityManager, userId: string, reason: string): Promise<void> {
  await em.transactional(async (tx) => {
    const kyc = await tx.findOneOrFail(Kyc, { userId });
    if (kyc.needsManualReview) return;
    kyc.needsManualReview = true;
    audit(tx, {
      actor: { type: 'SYSTEM', id: 'kyc-workflow' },
      action: 'kyc.flagged_for_review',
      ...caseTarget(userId),
      before: { needsManualReview: false },
      after: { needsManualReview: true },
      reason,
    });
    await recordOutbox(
      tx,
      liveEvent(ADMINS_ROOM, 'admin:alert', {
        kind: 'kyc.manual_review',
        message: `KYC of user ${userId} needs manual review: ${reason}`,
        subject: userId,
        at: new Date().toISOString(),
      }),
    );
  });
}

/** Final decision: KYC and User together. A repeat of the same decision changes nothing. */
export async function finalizeKyc(
  em: EntityManager,
  input: {
    userId: string;
    status: 'APPROVED' | 'REJECTED';
    actor: KycActor;
    reason: string | null;
    /** From the approving provider's document check; sanctions screening trusts only this date. */
    verifiedDateOfBirth?: string | null;
  },
): Promise<{ changed: boolean }> {
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: input.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const kyc = await tx.findOneOrFail(Kyc, { userId: input.userId });
    if (kyc.status === input.status && user.kycStatus === input.status) return { changed: false };
    const before = { status: kyc.status };
    const now = new Date();
    kyc.status = input.status;
    kyc.awaitingUser = false;
    kyc.reviewedBy = input.actor.type === 'ADMIN' ? input.actor.id : (kyc.reviewedBy ?? null);
    kyc.notes = input.reason ?? kyc.notes ?? null;
    if (input.status === 'APPROVED') kyc.approvedAt = now;
    else kyc.rejectedAt = now;
    user.kycStatus = input.status;
    const birthDateVerified = input.status === 'APPROVED' && !!input.verifiedDateOfBirth;
    if (birthDateVerified) user.verifiedDateOfBirth = input.verifiedDateOfBirth;
    audit(tx, {
      actor: { type: input.actor.type, id: input.actor.id },
      action: input.status === 'APPROVED' ? 'kyc.approved' : 'kyc.rejected',
      ...caseTarget(input.userId),
      before,
      after: { status: input.status, birthDateVerified },
      reason: input.reason,
    });
    await recordWebhookEvent(tx, 'kyc.decided', {
      userId: input.userId,
      status: input.status,
      reason: input.reason,
      decidedBy: input.actor.type,
      decidedAt: now.toISOString(),
    });
    return { changed: true };
  });
}

/**
 * The decision's email and live event, keyed by the case's workflow: however often the
 * notifying activity runs, one email and one event leave.
 */
export async function notifyKycDecision(
  em: EntityManager,
  input: { userId: string; status: 'APPROVED' | 'REJECTED'; reason: string | null; workflowId: string },
): Promise<void> {
  await em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, { id: input.userId });
    const approved = input.status === 'APPROVED';
    await recordOutbox(
      tx,
      emailMessage(
        {
          template: approved ? 'kyc-approved' : 'kyc-rejected',
          to: user.email,
          data: { name: user.fullName, reason: input.reason ?? '' },
        },
        `kyc-${input.status.toLowerCase()}-${input.workflowId}`,
      ),
      liveEvent(
        userRoom(input.userId),
        'kyc:status',
        { userId: input.userId, status: input.status, reason: input.reason, at: new Date().toISOString() },
        `kyc-${input.status.toLowerCase()}-event-${input.workflowId}`,
      ),
    );
  });
}

export async function findKycByProviderId(
  em: EntityManager,
  provider: string,
  providerId: string,
): Promise<Kyc | null> {
  return em.findOne(Kyc, { provider, providerId });
}

/**
 * The status of the user's case, null when there is none: POST /kyc/start reads it on every
 * start. One column through the plain read pool (kernel/db/read-pool.ts): em.findOne(Kyc) cost
 * 5 times the CPU of an em.execute (about 520 against 100 us a call, most of it building the
 * query), and em.execute still passes the ORM's connection layer.
 */
export async function kycStatusOf(db: ReadDb, userId: string): Promise<KycStatus | null> {
  const [row] = await db.rows<{ status: KycStatus }>('select status from kyc where user_id = $1', [userId]);
  return row?.status ?? null;
}

export async function getKycStatus(em: EntityManager, userId: string) {
  const user = await em.findOne(User, { id: userId });
  if (!user) throw new AppError('NOT_FOUND', 'user not found');
  const kyc = await em.findOne(Kyc, { userId });
  return {
    user: { id: user.id, email: user.email, fullName: user.fullName, status: user.status, kycStatus: user.kycStatus },
    kyc: kyc ? publicKyc(kyc) : null,
  };
}

export async function pendingKycCases(em: EntityManager, limit: number, offset: number) {
  const [rows, total] = await em.findAndCount(
    Kyc,
    { status: 'PENDING' },
    { orderBy: { createdAt: 'asc' }, limit, offset },
  );
  const users = await em.find(User, { id: { $in: rows.map((r) => r.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    total,
    items: rows.map((k) => ({
      ...publicKyc(k),
      user: { email: byId.get(k.userId)?.email, fullName: byId.get(k.userId)?.fullName },
    })),
  };
}

export function publicKyc(k: Kyc) {
  return {
    userId: k.userId,
    status: k.status,
    provider: k.provider,
    providerId: k.providerId ?? null,
    attempts: k.attempts,
    awaitingUser: k.awaitingUser ?? false,
    needsManualReview: k.needsManualReview,
    notes: k.notes ?? null,
    reviewedBy: k.reviewedBy ?? null,
    approvedAt: k.approvedAt ?? null,
    rejectedAt: k.rejectedAt ?? null,
    workflowId: k.workflowId,
    createdAt: k.createdAt,
    updatedAt: k.updatedAt,
  };
}
