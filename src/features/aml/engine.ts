import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../kernel/config';
import {
  checkTradeAnomaly,
  checkTradeVolume,
  checkVelocity,
  evaluateRules,
  requiresFreeze,
  type AmlFinding,
  type AmlThresholds,
  type CheckResult,
  type Severity,
} from './rules';
import { AppError } from '../../kernel/errors';
import { unitsToMinor } from '../../kernel/money';
import { parseSanctionsCsv, screen, type SanctionsEntry } from './sanctions';
import type { Logger } from '../../kernel/logger';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { AmlCaseStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import {
  amlCaseQuery,
  amlFreeze,
  decisionUpdate,
  findingSignal,
  type AmlCaseState,
  type AmlDecision,
} from './workflow';
import type { ActivityObserver } from '../wallet/account-state';
import { amlSnapshot } from './snapshot';
import { audit } from '../../kernel/audit';

export const amlWorkflowId = (userId: string) => `aml-freeze-${userId}`;

export function amlThresholdsFromConfig(c: Config): AmlThresholds {
  return {
    maxDailyDeposits: unitsToMinor(c.MAX_DAILY_DEPOSITS),
    maxDailyWithdrawals: unitsToMinor(c.MAX_DAILY_WITHDRAWALS),
    maxTradeSize: unitsToMinor(c.MAX_TRADE_SIZE),
    maxTradesPerHour: c.MAX_TRADES_PER_HOUR,
    velocityPerMinute: c.SUSPICIOUS_VELOCITY_THRESHOLD,
    maxDailyTradeVolume: unitsToMinor(c.MAX_DAILY_TRADE_VOLUME),
    bannedCountries: c.BANNED_COUNTRIES.map((x) => x.toUpperCase()),
    structuringShare: 0.9,
    structuringCount: 3,
    abuseWithdrawnShare: 0.8,
    abuseMaxTradedShare: 0.1,
  };
}

/** Loads the sanctions list; a relative path is taken from the working directory (the project root). */
export function loadSanctionsList(path: string): SanctionsEntry[] {
  const full = isAbsolute(path) ? path : resolve(process.cwd(), path);
  return parseSanctionsCsv(readFileSync(full, 'utf8'));
}

export interface AmlCheckRow {
  id: string;
  userId: string;
  checkType: string;
  severity: Severity;
  result: CheckResult;
  metadata: unknown;
  notes: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

interface AmlCheckDbRow {
  id: string;
  user_id: string;
  check_type: string;
  severity: Severity;
  result: CheckResult;
  metadata: unknown;
  notes: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
}

const toRow = (r: AmlCheckDbRow): AmlCheckRow => ({
  id: r.id,
  userId: r.user_id,
  checkType: r.check_type,
  severity: r.severity,
  result: r.result,
  metadata: r.metadata,
  notes: r.notes,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
  createdAt: new Date(r.created_at).toISOString(),
});

export interface AmlEngineDeps {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  thresholds: AmlThresholds;
  sanctions: SanctionsEntry[];
  reminderIntervalMs: number;
  cooldownMs: number;
  logger: Logger;
}

export interface AmlRunResult {
  userId: string;
  findings: AmlFinding[];
  saved: AmlCheckRow[];
  freezeRequested: boolean;
}

/** The seed's aml.engine: runs the rules, records findings, and opens/joins the freeze case. */
export class AmlEngine implements ActivityObserver {
  constructor(private readonly deps: AmlEngineDeps) {}

  private em(): EntityManager {
    return this.deps.orm.em.fork();
  }

  private async evaluate(userId: string): Promise<AmlFinding[]> {
    const em = this.em();
    const snapshot = await amlSnapshot(em, userId);
    const [user] = await em.execute<{ full_name: string; date_of_birth: string | null; country: string }[]>(
      `select full_name, to_char(date_of_birth, 'YYYY-MM-DD') date_of_birth, country from users where id = ?`,
      [userId],
    );
    const match = screen(
      { name: user!.full_name, birthDate: user!.date_of_birth, country: user!.country },
      this.deps.sanctions,
    );
    return evaluateRules(snapshot, this.deps.thresholds, match);
  }

  /**
   * Runs every rule; saves each non-PASS finding (an unresolved one of the same type within the
   * cooldown is not repeated) or one PASS summary; any FAIL/CRITICAL opens or joins the freeze case.
   */
  async runAMLChecks(userId: string, trigger = 'manual'): Promise<AmlRunResult> {
    const findings = await this.evaluate(userId);
    const flagged = findings.filter((f) => f.result !== 'PASS');
    const saved = await this.em().transactional(async (tx) => {
      // One run at a time per user, so two concurrent runs cannot both decide "not seen yet".
      await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`aml:${userId}`]);
      const out: AmlCheckRow[] = [];
      const toSave: AmlFinding[] = flagged.length
        ? flagged
        : [
            {
              checkType: 'SUMMARY',
              severity: 'LOW',
              result: 'PASS',
              notes: `all checks passed (${trigger})`,
              metadata: { checks: findings.map((f) => f.checkType) },
            },
          ];
      for (const f of toSave) {
        if (f.result !== 'PASS') {
          const recent = await tx.execute(
            `select 1 from aml_checks where user_id = ? and check_type = ? and result = ? and resolved_at is null
             and created_at > now() - make_interval(secs => ?)`,
            [userId, f.checkType, f.result, this.deps.cooldownMs / 1000],
          );
          if (recent.length) continue;
        }
        const [row] = await tx.execute<AmlCheckDbRow[]>(
          `insert into aml_checks (user_id, check_type, severity, result, metadata, notes) values (?, ?, ?, ?, ?, ?) returning *`,
          [userId, f.checkType, f.severity, f.result, JSON.stringify({ ...f.metadata, trigger }), f.notes],
        );
        out.push(toRow(row!));
      }
      return out;
    });
    const critical = saved.filter((r) => r.result === 'FAIL' && r.severity === 'CRITICAL');
    // Signal even when the row was within its cooldown: a closed case must reopen if the cause persists.
    const freezeRequested = findings.some(requiresFreeze);
    if (freezeRequested) {
      await this.deps.temporal.workflow.signalWithStart(amlFreeze, {
        workflowId: amlWorkflowId(userId),
        taskQueue: this.deps.taskQueue,
        args: [{ userId, reminderIntervalMs: this.deps.reminderIntervalMs }],
        signal: findingSignal,
        signalArgs: [
          {
            checkIds: critical.map((c) => c.id),
            reasons: findings.filter(requiresFreeze).map((f) => `${f.checkType}: ${f.notes}`),
          },
        ],
        typedSearchAttributes: [
          { key: UserIdSearchAttribute, value: userId },
          { key: AmlCaseStatusSearchAttribute, value: 'FROZEN' },
        ],
      });
    }
    return { userId, findings, saved, freezeRequested };
  }

  /** ActivityObserver: every deposit, withdrawal and trade. Never fails the caller's request. */
  async afterActivity(userId: string, kind: string): Promise<void> {
    try {
      await this.runAMLChecks(userId, kind);
    } catch (err) {
      this.deps.logger.error({ err, userId, kind }, 'AML checks failed');
    }
  }

  async checkVelocity(userId: string) {
    return checkVelocity(await amlSnapshot(this.em(), userId), this.deps.thresholds);
  }

  async checkTradeAnomaly(userId: string) {
    return checkTradeAnomaly(await amlSnapshot(this.em(), userId), this.deps.thresholds);
  }

  async checkTradeVolume(userId: string) {
    return checkTradeVolume(await amlSnapshot(this.em(), userId), this.deps.thresholds);
  }

  async getAMLCheckHistory(userId: string, limit = 50): Promise<AmlCheckRow[]> {
    const rows = await this.em().execute<AmlCheckDbRow[]>(
      `select * from aml_checks where user_id = ? order by created_at desc, id limit ?`,
      [userId, limit],
    );
    return rows.map(toRow);
  }

  async listChecks(filter: {
    result?: CheckResult;
    severity?: Severity;
    unresolved?: boolean;
    limit: number;
    offset: number;
  }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.result) {
      where.push('result = ?');
      params.push(filter.result);
    }
    if (filter.severity) {
      where.push('severity = ?');
      params.push(filter.severity);
    }
    if (filter.unresolved) where.push(`resolved_at is null and result <> 'PASS'`);
    const clause = where.length ? `where ${where.join(' and ')}` : '';
    const em = this.em();
    const rows = await em.execute<AmlCheckDbRow[]>(
      `select * from aml_checks ${clause} order by created_at desc, id limit ? offset ?`,
      [...params, filter.limit, filter.offset],
    );
    const [{ n }] = (await em.execute(`select count(*) n from aml_checks ${clause}`, params)) as [{ n: string }];
    return { items: rows.map(toRow), total: Number(n), limit: filter.limit, offset: filter.offset };
  }

  async getUnresolvedAMLChecks(limit = 100) {
    return (await this.listChecks({ unresolved: true, limit, offset: 0 })).items;
  }

  async resolveAMLCheck(checkId: string, adminId: string, notes: string): Promise<AmlCheckRow> {
    return this.em().transactional(async (tx) => {
      const [row] = await tx.execute<AmlCheckDbRow[]>(`select * from aml_checks where id = ? for update`, [checkId]);
      if (!row) throw new AppError('NOT_FOUND', 'AML check not found');
      if (row.resolved_at) throw new AppError('INVALID_STATE', 'AML check is already resolved');
      const [updated] = await tx.execute<AmlCheckDbRow[]>(
        `update aml_checks set resolved_by = ?, resolved_at = now(), notes = coalesce(notes, '') || case when notes is null then '' else ' | ' end || ? where id = ? returning *`,
        [adminId, `resolved: ${notes}`, checkId],
      );
      audit(tx, {
        actor: { type: 'ADMIN', id: adminId },
        action: 'aml.check_resolved',
        targetType: 'aml_check',
        targetId: checkId,
        before: { resolvedAt: null },
        after: { resolvedBy: adminId },
        reason: notes,
      });
      return toRow(updated!);
    });
  }

  /**
   * Running freeze cases of this deployment's task queue, with their state. Each query gets a
   * short deadline: a case whose worker is down is skipped (logged) instead of stalling the list.
   */
  async openCases(limit = 100): Promise<AmlCaseState[]> {
    const out: AmlCaseState[] = [];
    const query = `WorkflowType = "amlFreeze" AND ExecutionStatus = "Running" AND TaskQueue = "${this.deps.taskQueue}"`;
    for await (const wf of this.deps.temporal.workflow.list({ query })) {
      if (out.length >= limit) break;
      try {
        const handle = this.deps.temporal.workflow.getHandle(wf.workflowId);
        out.push(await this.deps.temporal.withDeadline(Date.now() + 3000, () => handle.query(amlCaseQuery)));
      } catch (err) {
        this.deps.logger.warn({ err, workflowId: wf.workflowId }, 'could not query AML case');
      }
    }
    return out;
  }

  async decide(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    if (userId === decision.adminId) throw new AppError('FORBIDDEN', 'an admin cannot decide their own AML case');
    try {
      return await this.deps.temporal.workflow
        .getHandle(amlWorkflowId(userId))
        .executeUpdate(decisionUpdate, { args: [decision] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('NOT_FOUND', 'no open AML case for this user');
      return fromTemporalError(err, new AppError('NOT_FOUND', 'no open AML case for this user'));
    }
  }
}

export function createAmlEngine(deps: {
  config: Config;
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
}): AmlEngine {
  return new AmlEngine({
    orm: deps.orm,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    thresholds: amlThresholdsFromConfig(deps.config),
    sanctions: loadSanctionsList(deps.config.SANCTIONS_LIST_PATH),
    reminderIntervalMs: deps.config.AML_REMINDER_INTERVAL_MS,
    cooldownMs: deps.config.AML_ALERT_COOLDOWN_MS,
    logger: deps.logger,
  });
}
