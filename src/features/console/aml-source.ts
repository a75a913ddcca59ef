import type { EntityManager } from '@mikro-orm/postgresql';
import type { AmlCases } from '../aml/cases';
import type { AmlCaseState, AmlDecision } from '../aml/contract';
import {
  addCaseNote,
  assignCase,
  currentCaseIdOf,
  getCase,
  listCases,
  staffMembers,
  type CaseFilter,
  type CaseListItem,
} from '../aml/case-repository';
import { decideCaseWithoutFreeze } from '../aml/escalation';
import { getAMLCheckHistory, resolveAMLCheck, type AmlCheckRow } from '../aml/repository';
import { listSnoozes, type SnoozeView } from '../aml/snoozes';

/**
 * Everything the console's AML screens read and do, in one place: the case records (aml_cases,
 * through the AML case repository the JSON routes use), and the freeze workflow for what only it
 * knows while a freeze is open (the first unfreeze approval) and for decisions (AmlCases.decide:
 * own-case refusal, two different admins, 409 once decided).
 */
export type AmlCaseDetail = Awaited<ReturnType<typeof getCase>> & { snoozes: SnoozeView[] };

export interface AmlConsoleSource {
  list(em: EntityManager, filter: CaseFilter): Promise<{ items: CaseListItem[]; total: number }>;
  /** One case record by its id (NOT_FOUND when there is none). */
  caseById(em: EntityManager, caseId: string): Promise<AmlCaseDetail>;
  /** The id of the user's open case, else of their latest one, else null. */
  currentCaseId(em: EntityManager, userId: string): Promise<string | null>;
  /** The freeze workflow's state while the user's freeze is open, else null. */
  freezeState(userId: string): Promise<AmlCaseState | null>;
  findings(em: EntityManager, userId: string): Promise<AmlCheckRow[]>;
  /** A decision on the user's open freeze (UNFREEZE, KEEP_FROZEN); AmlCases records it on the case. */
  decide(userId: string, decision: AmlDecision): Promise<AmlCaseState>;
  /** A decision on a case without a freeze (CLEARED, ESCALATED), as the JSON API takes it. */
  decideWithoutFreeze(
    em: EntityManager,
    caseId: string,
    adminId: string,
    decision: 'CLEARED' | 'ESCALATED',
    reason: string,
  ): Promise<void>;
  resolveFinding(em: EntityManager, checkId: string, adminId: string, notes: string): Promise<AmlCheckRow>;
  assign(em: EntityManager, caseId: string, assigneeId: string, adminId: string): Promise<void>;
  note(em: EntityManager, caseId: string, adminId: string, note: string): Promise<void>;
  staff(em: EntityManager): Promise<{ id: string; email: string }[]>;
}

export function amlSourceFromRecords(cases: AmlCases): AmlConsoleSource {
  return {
    list: (em, filter) => listCases(em, filter),
    async caseById(em, caseId) {
      const record = await getCase(em, caseId);
      return { ...record, snoozes: await listSnoozes(em, record.userId) };
    },
    currentCaseId: (em, userId) => currentCaseIdOf(em, userId),
    freezeState: (userId) => cases.freezeState(userId),
    findings: (em, userId) => getAMLCheckHistory(em, userId, 50),
    decide: (userId, decision) => cases.decide(userId, decision),
    decideWithoutFreeze: (em, caseId, adminId, decision, reason) =>
      decideCaseWithoutFreeze(em, caseId, adminId, decision, reason),
    resolveFinding: (em, checkId, adminId, notes) => resolveAMLCheck(em, checkId, adminId, notes),
    assign: (em, caseId, assigneeId, adminId) => assignCase(em, caseId, assigneeId, adminId),
    note: (em, caseId, adminId, note) => addCaseNote(em, caseId, adminId, note),
    staff: (em) => staffMembers(em),
  };
}
