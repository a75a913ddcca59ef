import type { EntityManager } from '@mikro-orm/postgresql';
import type { AmlCases } from '../aml/cases';
import type { AmlCaseState, AmlDecision } from '../aml/contract';
import { getAMLCheckHistory, resolveAMLCheck, type AmlCheckRow } from '../aml/repository';

/**
 * Everything the console's AML screens read and do, in one place. Today it goes through the AML
 * admin services the JSON routes use (`/aml/admin/*`: the running amlFreeze workflows, the
 * aml_checks rows). When the "AML cases as records" issue lands, only this module changes: the
 * screens depend on `AmlConsoleSource`, not on where cases live.
 */
export interface AmlCaseSummary {
  userId: string;
  status: AmlCaseState['status'];
  findings: number;
  reasons: string[];
  approvals: string[];
  remindersSent: number;
}

export interface AmlConsoleSource {
  /** Open cases; `awaitingSecond` keeps the cases with one unfreeze approval. */
  list(filter: { q?: string; awaitingSecond?: boolean }): Promise<AmlCaseSummary[]>;
  /** The user's open case, or null when none is open. */
  get(userId: string): Promise<AmlCaseState | null>;
  findings(em: EntityManager, userId: string): Promise<AmlCheckRow[]>;
  /** Goes through AmlCases.decide: own-case refusal, two different admins, 409 once decided. */
  decide(userId: string, decision: AmlDecision): Promise<AmlCaseState>;
  /** A note on a finding, by resolving it (the only note the current API keeps). */
  resolveFinding(em: EntityManager, checkId: string, adminId: string, notes: string): Promise<AmlCheckRow>;
  /** Whether assignment and case notes are available (they come with case records). */
  readonly supportsAssignment: boolean;
}

export function amlSourceFromWorkflows(cases: AmlCases): AmlConsoleSource {
  const summary = (c: AmlCaseState): AmlCaseSummary => ({
    userId: c.userId,
    status: c.status,
    findings: c.findings.reduce((n, f) => n + f.checkIds.length, 0),
    reasons: c.findings.flatMap((f) => f.reasons),
    approvals: c.approvals,
    remindersSent: c.remindersSent,
  });
  return {
    supportsAssignment: false,
    async list(filter) {
      const all = (await cases.openCases()).map(summary);
      return all.filter(
        (c) =>
          (!filter.q || c.userId.includes(filter.q) || c.reasons.some((r) => r.toLowerCase().includes(filter.q!))) &&
          (!filter.awaitingSecond || c.approvals.length === 1),
      );
    },
    async get(userId) {
      const open = await cases.openCases();
      return open.find((c) => c.userId === userId) ?? null;
    },
    findings: (em, userId) => getAMLCheckHistory(em, userId, 50),
    decide: (userId, decision) => cases.decide(userId, decision),
    resolveFinding: (em, checkId, adminId, notes) => resolveAMLCheck(em, checkId, adminId, notes),
  };
}
