import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../kernel/config';
import { unitsToMinor } from '../../kernel/money';
import { recordOutbox } from '../../kernel/outbox';
import { amlFreezeMessage } from './messages';
import { SYSTEM_ACTOR } from '../../kernel/audit';
import { writeFrozen } from './freeze-repository';
import type { AmlGate } from './gate';
import { toCheckRow, type AmlCheckDbRow, type AmlCheckRow } from './repository';
import { evaluateRules, outcomeOf, outcomeRank, requiresFreeze, type AmlFinding, type AmlThresholds } from './rules';
import { lockUserAml, recordCaseFinding } from './case-repository';
import { activeSnoozedRules } from './snoozes';
import { parseSanctionsCsv, screen, type SanctionsEntry } from './sanctions';
import { amlSnapshot } from './snapshot';

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

export interface AmlChecksDeps {
  orm: MikroORM;
  thresholds: AmlThresholds;
  /** Read on first use, so a process that never screens (an API instance) never loads the list. */
  sanctions: () => SanctionsEntry[];
  cooldownMs: number;
  /** Told of each finding saved (not PASS), for the aml_findings_total counter. */
  onFinding?: (finding: { checkType: string; severity: string }) => void;
}

export interface AmlRunResult {
  userId: string;
  findings: AmlFinding[];
  saved: AmlCheckRow[];
  freezeRequested: boolean;
}

/** The seed's runAMLChecks: evaluates every rule for a user and records what it found. */
export class AmlChecks implements AmlGate {
  private sanctions?: SanctionsEntry[];

  constructor(private readonly deps: AmlChecksDeps) {}

  private async evaluate(em: EntityManager, userId: string): Promise<AmlFinding[]> {
    const snapshot = await amlSnapshot(em, userId);
    const [user] = await em.execute<{ full_name: string; verified_date_of_birth: string | null; country: string }[]>(
      `select full_name, to_char(verified_date_of_birth, 'YYYY-MM-DD') verified_date_of_birth, country
       from users where id = ?`,
      [userId],
    );
    this.sanctions ??= this.deps.sanctions();
    const match = screen(
      { name: user!.full_name, verifiedBirthDate: user!.verified_date_of_birth, country: user!.country },
      this.sanctions,
    );
    return evaluateRules(snapshot, this.deps.thresholds, match);
  }

  /**
   * Runs every rule; saves each non-PASS finding (an unresolved one of the same type within the
   * cooldown is not repeated) or one PASS summary. Any FAIL/CRITICAL finding writes a freeze
   * request to the outbox in the same transaction. `runId` (the outbox record that asked for the
   * run) makes a redelivered request record nothing new.
   */
  /**
   * AmlGate: the rules, evaluated inside a money movement's transaction (which holds the user's
   * lock and sees the movement itself). A FAIL/CRITICAL finding (velocity, banned country, strong
   * sanctions match) is recorded and freezes the account in the same commit, and the freeze case
   * is requested through the outbox; REVIEW findings never block and are left to the full run
   * that follows the movement (aml-check outbox message).
   */
  async decideWithin(tx: EntityManager, userId: string, trigger: string): Promise<{ frozen: boolean }> {
    const findings = await this.evaluate(tx, userId);
    // block_and_review and decline are recorded in the movement's own commit, so the next
    // movement already meets the hold or the freeze; review findings wait for the full run.
    const escalating = findings.filter((f) => outcomeRank(outcomeOf(f)) >= outcomeRank('block_and_review'));
    if (escalating.length === 0) return { frozen: false };
    await lockUserAml(tx, userId);
    const snoozed = await activeSnoozedRules(tx, userId);
    const saved = await this.saveFindings(tx, userId, escalating, trigger, snoozed);
    const freezing = escalating.filter((f) => requiresFreeze(f) && !snoozed.has(f.checkType));
    if (freezing.length === 0) return { frozen: false };
    const [state] = await tx.execute<{ status: string; locked: boolean }[]>(
      `select u.status, w.locked from users u join wallets w on w.user_id = u.id where u.id = ?`,
      [userId],
    );
    const reasons = freezing.map((f) => `${f.checkType}: ${f.notes}`);
    await writeFrozen(tx, userId, true, SYSTEM_ACTOR('aml-inline'), reasons.join('; '), {
      status: state!.status,
      walletLocked: state!.locked,
    });
    const freezingIds = saved.filter((r) => r.outcome === 'decline' && !r.snoozed).map((r) => r.id);
    await recordOutbox(tx, amlFreezeMessage({ userId, checkIds: freezingIds, reasons }));
    return { frozen: true };
  }

  /**
   * Saves findings; an unresolved one of the same type and result within the cooldown is not
   * repeated. A live finding is repeated over a snoozed one (the snooze has ended).
   */
  private async saveFindings(
    tx: EntityManager,
    userId: string,
    findings: AmlFinding[],
    trigger: string,
    snoozed: Set<string>,
    runId?: string,
  ): Promise<AmlCheckRow[]> {
    const out: AmlCheckRow[] = [];
    for (const f of findings) {
      if (f.metadata.holdWithdrawals === true) {
        // An admin cleared this same entry for this user: later runs must not hold again.
        const cleared = await tx.execute(
          `select 1 from aml_checks where user_id = ? and check_type = ? and resolved_at is not null
           and metadata->'matchedEntry'->>'id' = ? limit 1`,
          [userId, f.checkType, (f.metadata.matchedEntry as { id: string }).id],
        );
        if (cleared.length) continue;
      }
      const isSnoozed = snoozed.has(f.checkType);
      if (f.result !== 'PASS') {
        // A finding recorded under a snooze escalated nothing, so it does not stand for the rule
        // once the snooze has ended: the first live evaluation after it records (and escalates) anew.
        const recent = await tx.execute(
          `select 1 from aml_checks where user_id = ? and check_type = ? and result = ? and resolved_at is null
           and created_at > now() - make_interval(secs => ?) and (not snoozed or ?)`,
          [userId, f.checkType, f.result, this.deps.cooldownMs / 1000, isSnoozed],
        );
        if (recent.length) continue;
      }
      const outcome = outcomeOf(f);
      const [row] = await tx.execute<AmlCheckDbRow[]>(
        `insert into aml_checks (user_id, check_type, severity, result, metadata, notes, run_id, outcome, snoozed)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
        [
          userId,
          f.checkType,
          f.severity,
          f.result,
          JSON.stringify({ ...f.metadata, trigger }),
          f.notes,
          runId ?? null,
          outcome,
          isSnoozed,
        ],
      );
      await recordCaseFinding(tx, userId, {
        checkId: row!.id,
        rule: f.checkType,
        outcome,
        notes: f.notes,
        snoozed: isSnoozed,
      });
      out.push(toCheckRow(row!));
      if (f.result !== 'PASS') this.deps.onFinding?.(f);
    }
    return out;
  }

  async runAMLChecks(userId: string, trigger = 'manual', runId?: string): Promise<AmlRunResult> {
    const em = this.deps.orm.em.fork();
    const findings = await this.evaluate(em, userId);
    const flagged = findings.filter((f) => f.result !== 'PASS');
    let freezeRequested = false;
    const saved = await em.transactional(async (tx) => {
      // One run at a time per user, so two concurrent runs cannot both decide "not seen yet".
      await lockUserAml(tx, userId);
      // A snoozed rule is recorded but does not escalate.
      const snoozed = await activeSnoozedRules(tx, userId);
      const freezing = findings.filter((f) => requiresFreeze(f) && !snoozed.has(f.checkType));
      freezeRequested = freezing.length > 0;
      if (runId && (await tx.execute(`select 1 from aml_checks where run_id = ? limit 1`, [runId])).length) {
        return null;
      }
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
      const out = await this.saveFindings(tx, userId, toSave, trigger, snoozed, runId);
      // A new critical finding joins (or opens) the case; a repeated one within its cooldown asks
      // again only when the account is not frozen, so a closed case reopens while the cause persists
      // without every later run signalling the open case once more.
      const critical = out.filter((r) => r.outcome === 'decline' && !r.snoozed);
      const [account] = await tx.execute<{ status: string }[]>(`select status from users where id = ?`, [userId]);
      if (freezeRequested && (critical.length > 0 || account?.status !== 'FROZEN')) {
        await recordOutbox(
          tx,
          amlFreezeMessage({
            userId,
            checkIds: critical.map((r) => r.id),
            reasons: freezing.map((f) => `${f.checkType}: ${f.notes}`),
          }),
        );
      }
      return out;
    });
    return { userId, findings, saved: saved ?? [], freezeRequested: freezeRequested && saved !== null };
  }
}
