import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../kernel/config';
import { unitsToMinor } from '../../kernel/money';
import { recordOutbox } from '../../kernel/outbox';
import { amlFreezeMessage } from './messages';
import { toCheckRow, type AmlCheckDbRow, type AmlCheckRow } from './repository';
import { evaluateRules, requiresFreeze, type AmlFinding, type AmlThresholds } from './rules';
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
}

export interface AmlRunResult {
  userId: string;
  findings: AmlFinding[];
  saved: AmlCheckRow[];
  freezeRequested: boolean;
}

/** The seed's runAMLChecks: evaluates every rule for a user and records what it found. */
export class AmlChecks {
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
  async runAMLChecks(userId: string, trigger = 'manual', runId?: string): Promise<AmlRunResult> {
    const em = this.deps.orm.em.fork();
    const findings = await this.evaluate(em, userId);
    const flagged = findings.filter((f) => f.result !== 'PASS');
    const freezeRequested = findings.some(requiresFreeze);
    const saved = await em.transactional(async (tx) => {
      // One run at a time per user, so two concurrent runs cannot both decide "not seen yet".
      await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`aml:${userId}`]);
      if (runId && (await tx.execute(`select 1 from aml_checks where run_id = ? limit 1`, [runId])).length) {
        return null;
      }
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
        if (f.metadata.holdWithdrawals === true) {
          // An admin cleared this same entry for this user: later runs must not hold again.
          const cleared = await tx.execute(
            `select 1 from aml_checks where user_id = ? and check_type = ? and resolved_at is not null
             and metadata->'matchedEntry'->>'id' = ? limit 1`,
            [userId, f.checkType, (f.metadata.matchedEntry as { id: string }).id],
          );
          if (cleared.length) continue;
        }
        if (f.result !== 'PASS') {
          const recent = await tx.execute(
            `select 1 from aml_checks where user_id = ? and check_type = ? and result = ? and resolved_at is null
             and created_at > now() - make_interval(secs => ?)`,
            [userId, f.checkType, f.result, this.deps.cooldownMs / 1000],
          );
          if (recent.length) continue;
        }
        const [row] = await tx.execute<AmlCheckDbRow[]>(
          `insert into aml_checks (user_id, check_type, severity, result, metadata, notes, run_id)
           values (?, ?, ?, ?, ?, ?, ?) returning *`,
          [
            userId,
            f.checkType,
            f.severity,
            f.result,
            JSON.stringify({ ...f.metadata, trigger }),
            f.notes,
            runId ?? null,
          ],
        );
        out.push(toCheckRow(row!));
      }
      // Requested even when the finding was within its cooldown: a closed case must reopen if the cause persists.
      if (freezeRequested) {
        await recordOutbox(
          tx,
          amlFreezeMessage({
            userId,
            checkIds: out.filter((r) => r.result === 'FAIL' && r.severity === 'CRITICAL').map((r) => r.id),
            reasons: findings.filter(requiresFreeze).map((f) => `${f.checkType}: ${f.notes}`),
          }),
        );
      }
      return out;
    });
    return { userId, findings, saved: saved ?? [], freezeRequested: freezeRequested && saved !== null };
  }
}
