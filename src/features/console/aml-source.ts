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
  /** The user's open case record, else their latest one, else null. */
  caseOf(em: EntityManager, userId: string): Promise<AmlCaseDetail | null>;
  /** The freeze workflow's state while the user's freeze is open, else null. */
  freezeState(userId: string): Promise<AmlCaseState | null>;
  findings(em: EntityManager, userId: string): Promise<AmlCheckRow[]>;
  decide(userId: string, decision: AmlDecision): Promise<AmlCaseState>;
  resolveFinding(em: EntityManager, checkId: string, adminId: string, notes: string): Promise<AmlCheckRow>;
  assign(em: EntityManager, caseId: string, assigneeId: string, adminId: string): Promise<void>;
  note(em: EntityManager, caseId: string, adminId: string, note: string): Promise<void>;
  staff(em: EntityManager): Promise<{ id: string; email: string }[]>;
}

export function amlSourceFromRecords(cases: AmlCases): AmlConsoleSource {
  return {
    list: (em, filter) => listCases(em, filter),
    async caseOf(em, userId) {
      const id = await currentCaseIdOf(em, userId);
      if (!id) return null;
      return { ...(await getCase(em, id)), snoozes: await listSnoozes(em, userId) };
    },
    freezeState: (userId) => cases.freezeState(userId),
    findings: (em, userId) => getAMLCheckHistory(em, userId, 50),
    decide: (userId, decision) => cases.decide(userId, decision),
    resolveFinding: (em, checkId, adminId, notes) => resolveAMLCheck(em, checkId, adminId, notes),
    assign: (em, caseId, assigneeId, adminId) => assignCase(em, caseId, assigneeId, adminId),
    note: (em, caseId, adminId, note) => addCaseNote(em, caseId, adminId, note),
    staff: (em) => staffMembers(em),
  };
}
