import { z } from 'zod';
import { timestamp } from '../openapi/responses';
import { CASE_OUTCOMES, CASE_STATUSES } from './case-repository';
import { OUTCOMES, RESULTS, SEVERITIES } from './rules';

/** A stored finding (repository.ts AmlCheckRow). */
export const amlCheck = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  checkType: z.string(),
  severity: z.enum(SEVERITIES),
  result: z.enum(RESULTS),
  outcome: z
    .enum(OUTCOMES)
    .nullable()
    .describe('Its place on the outcome ladder (approve < review < block_and_review < decline)'),
  snoozed: z.boolean().describe('Recorded while an admin had snoozed this rule for the user: it did not escalate'),
  metadata: z.unknown(),
  notes: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: timestamp.nullable(),
  createdAt: timestamp,
});
export const amlCheckPage = z.object({ items: z.array(amlCheck), total: z.int(), limit: z.int(), offset: z.int() });
export const amlCheckHistory = z.object({ items: z.array(amlCheck) });

/** POST /aml/admin/users/:userId/run. */
export const amlRun = z.object({
  userId: z.uuid(),
  findings: z.array(
    z.object({
      checkType: z.string(),
      severity: z.enum(SEVERITIES),
      result: z.enum(RESULTS),
      notes: z.string(),
      metadata: z.record(z.string(), z.unknown()),
    }),
  ),
  saved: z.array(amlCheck),
  freezeRequested: z.boolean(),
});

const caseFinding = z.object({
  rule: z.string(),
  count: z.int(),
  outcome: z.enum(OUTCOMES),
  firstSeenAt: timestamp,
  lastSeenAt: timestamp,
  lastNotes: z.string().nullable(),
  snoozed: z.boolean(),
});
/** One case in a list (case-repository.ts CaseListItem). */
export const amlCaseItem = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  status: z.enum(CASE_STATUSES),
  highestOutcome: z.enum(OUTCOMES),
  outcome: z.enum(CASE_OUTCOMES).nullable(),
  openedAt: timestamp,
  closedAt: timestamp.nullable(),
  closedBy: z.string().nullable(),
  assignee: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  workflowId: z.string().nullable(),
  findingSummary: z.string(),
  findings: z.array(caseFinding),
});
export const amlCasePage = z.object({ items: z.array(amlCaseItem), total: z.int(), limit: z.int(), offset: z.int() });

const caseEvent = z.object({
  kind: z.enum(['OPENED', 'FINDING_ADDED', 'FROZEN', 'ASSIGNED', 'NOTE', 'DECISION', 'SNOOZED', 'CLOSED']),
  at: timestamp,
  actor: z.object({ type: z.string(), id: z.string(), email: z.string().nullable() }),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
/** One case with its decisions and timeline (getCase): assignee, notes and decision routes answer it. */
export const amlCase = amlCaseItem.extend({
  runId: z.string().nullable(),
  reason: z.string().nullable(),
  decisions: z.array(caseEvent),
  timeline: z.array(caseEvent),
});

/** A rule snooze (snoozes.ts SnoozeView). */
export const snooze = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  rule: z.string(),
  until: timestamp,
  reason: z.string(),
  createdBy: z.string(),
  createdByEmail: z.string().nullable(),
  createdAt: timestamp,
  active: z.boolean(),
});
export const snoozes = z.object({ items: z.array(snooze) });
/** GET /aml/admin/cases/:id: the case and the user's snoozes. */
export const amlCaseWithSnoozes = amlCase.extend({ snoozes: z.array(snooze) });

/** PUT /aml/admin/users/:userId/decision: the freeze case's workflow state after the decision. */
export const freezeCaseState = z.object({
  userId: z.uuid(),
  status: z.enum(['FROZEN', 'UNFROZEN', 'CLOSED_FROZEN']),
  findings: z.array(z.object({ checkIds: z.array(z.string()), reasons: z.array(z.string()) })),
  approvals: z.array(z.string()),
  remindersSent: z.int(),
  decidedBy: z.array(z.string()),
  notes: z.string().nullable(),
});

/** GET /admin/users/:id/timeline (timeline.ts TimelineEntry). */
export const complianceTimeline = z.object({
  userId: z.uuid(),
  items: z.array(
    z.object({
      at: timestamp,
      category: z.enum(['kyc', 'aml_finding', 'case_event', 'decision', 'freeze', 'snooze']),
      action: z.string(),
      actor: z.object({
        type: z.string(),
        id: z.string(),
        email: z.string().nullable(),
        emails: z.array(z.string().nullable()).optional(),
      }),
      reason: z.string().nullable(),
      caseId: z.string().nullable(),
      workflowId: z.string().nullable(),
      workflowUrl: z.string().nullable(),
      details: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});
