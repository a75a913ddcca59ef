import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The one place the environment is read. Every process parses it once at start-up with
 * `loadConfig(process.env)`; everything else receives the parsed object.
 *
 * Booleans use an explicit enum: `z.coerce.boolean()` would read "false" as true.
 */

/**
 * Every secret-like value written anywhere in this repository (former defaults, .env.example,
 * docker-compose.yml, the test helpers). Anyone can read them, so production refuses them.
 */
export const PUBLIC_SECRET_VALUES: readonly string[] = [
  'dev-only-secret-change-me-dev-only-secret',
  'local-kyc-webhook-secret',
  'test-secret-test-secret-test-secret-0123',
  'realtime-test-secret-realtime-test-secret',
  'test-workflow-signing-key-test-workflow-signing-key',
  'metrics-token-0123456789',
  'test-metrics-token-0123456789',
  'sbx:test-app-token',
  'sumsub-secret-key',
  'sumsub-webhook-secret',
  'api_sandbox.onfido-token',
  'onfido-webhook-token',
  'veriff-api-key',
  'veriff-shared-secret',
  'x'.repeat(32),
  'change-me',
  'changeme',
  'secret',
];

/** The secrets production must be given, by the configured KYC provider. */
const PROVIDER_WEBHOOK_SECRET = {
  LOCAL: 'KYC_LOCAL_WEBHOOK_SECRET',
  SUMSUB: 'SUMSUB_WEBHOOK_SECRET',
  ONFIDO: 'ONFIDO_WEBHOOK_TOKEN',
  VERIFF: 'VERIFF_SHARED_SECRET',
} as const;

/** Outside production a missing secret is random per process: never a value anyone can read here. */
const randomSecret = () => randomBytes(32).toString('hex');

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const positiveInt = z.coerce.number().int().positive();

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    BODY_LIMIT: z.string().default('100kb'),

    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/compliance'),
    /**
     * Connections this process may hold (README, "Scaling out"): the sum over every API and worker
     * process, plus Temporal's, must stay below PostgreSQL's max_connections.
     */
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
    /** Connections of the plain `pg` pool for hot reads (kernel/db/read-pool.ts); opened on first use, so only in API processes. */
    DATABASE_READ_POOL_MAX: z.coerce.number().int().positive().default(5),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
    /** Prefix for every Redis key this process writes (locks, BullMQ, cache, socket.io channels). */
    REDIS_PREFIX: z.string().min(1).default('cb'),
    /**
     * Redis Cluster seed nodes, host:port pairs (e.g. `10.0.0.1:6379,10.0.0.2:6379`). Set, every
     * client is a cluster client and REDIS_URL is not used; key layout: src/kernel/redis/keys.ts.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port pairs separated by commas')))
      .default([]),

    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    /** Prebuilt workflow bundle (production); when absent the worker bundles `workflows/` at start. */
    TEMPORAL_WORKFLOW_BUNDLE: z.string().optional(),
    TEMPORAL_SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
    /**
     * Workflows each task-queue worker keeps in its sticky cache (the SDK evicts the least recently
     * used beyond it; an evicted workflow replays its history at its next task). The SDK's default
     * grows with the heap (about 2,300 here) at roughly 270 KB of RSS each, per worker.
     */
    TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(1_000),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Signs every message the API and the worker send to a workflow (decisions, signals, provider
     * results, start inputs); workers verify with it inside the workflow (kernel/temporal/signing.ts).
     * Every API and worker process of a deployment needs the same value.
     */
    WORKFLOW_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /** While rotating: the former key, still accepted (not used to sign) until no run signed with it is open. */
    WORKFLOW_SIGNING_KEY_PREVIOUS: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: positiveInt.default(3600),

    // --- Operator console (/console): staff session in Redis, idle expiry sliding, absolute cap.
    CONSOLE_SESSION_IDLE_SECONDS: positiveInt.default(1800),
    CONSOLE_SESSION_MAX_SECONDS: positiveInt.default(8 * 3600),
    /** The Temporal Web UI the console links to (a user's workflows, by the UserId attribute). */
    TEMPORAL_UI_URL: url(['http:', 'https:']).default('http://127.0.0.1:8233'),

    // --- KYC. KYC_PROVIDER is the default for POST /kyc/start; KYC_API_KEY and
    // KYC_APP_TOKEN (the seed's names) fill in the default provider's credentials when its own
    // variables are unset. A provider is offered only when its credentials are configured.
    KYC_PROVIDER: z.enum(['LOCAL', 'SUMSUB', 'ONFIDO', 'VERIFF']).default('LOCAL'),
    KYC_API_KEY: z.string().optional(),
    KYC_APP_TOKEN: z.string().optional(),
    KYC_PROVIDER_DEADLINE_MS: positiveInt.default(48 * 3600 * 1000),
    KYC_HARD_DEADLINE_MS: positiveInt.default(30 * 24 * 3600 * 1000),
    KYC_MAX_ATTEMPTS: positiveInt.default(3),
    KYC_LOCAL_WEBHOOK_SECRET: z.string().min(16).optional(),
    SUMSUB_BASE_URL: url(['http:', 'https:']).default('https://api.sumsub.com'),
    SUMSUB_APP_TOKEN: z.string().optional(),
    SUMSUB_SECRET_KEY: z.string().optional(),
    SUMSUB_LEVEL_NAME: z.string().default('basic-kyc-level'),
    SUMSUB_WEBHOOK_SECRET: z.string().optional(),
    ONFIDO_BASE_URL: url(['http:', 'https:']).default('https://api.eu.onfido.com'),
    ONFIDO_API_TOKEN: z.string().optional(),
    ONFIDO_WORKFLOW_ID: z.string().optional(),
    ONFIDO_WEBHOOK_TOKEN: z.string().optional(),
    VERIFF_BASE_URL: url(['http:', 'https:']).default('https://stationapi.veriff.com'),
    VERIFF_API_KEY: z.string().optional(),
    VERIFF_SHARED_SECRET: z.string().optional(),

    EMAIL_PROVIDER: z.enum(['CONSOLE', 'SMTP', 'SENDGRID']).default('CONSOLE'),
    EMAIL_FROM: z.string().email().default('no-reply@localhost.localdomain'),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    SENDGRID_API_KEY: z.string().optional(),
    SENDGRID_BASE_URL: url(['http:', 'https:']).default('https://api.sendgrid.com'),

    // --- Trading: symbols, market data, binary options limits. Amounts in whole units.
    SYMBOLS: csv.default(['BTCUSD', 'ETHUSD']),
    MARKET_FEED: z.enum(['SIMULATED', 'EXCHANGE']).default('SIMULATED'),
    /** Unset: random per start, so nobody can compute the simulated path from the repository. */
    MARKET_SEED: z.string().min(1).optional(),
    MARKET_VOLATILITY_BPS: z.coerce.number().int().min(0).max(5000).default(50),
    /** Base prices of the simulated market, SYMBOL=price pairs. */
    MARKET_BASE_PRICES: csv.default(['BTCUSD=43000', 'ETHUSD=2300', 'SOLUSD=95', 'XRPUSD=0.6']),
    EXCHANGE_BASE_URL: url(['http:', 'https:']).default('https://api.binance.com'),
    BINARY_PAYOUT_RATE_BPS: z.coerce.number().int().min(0).max(100_000).default(8500),
    BINARY_MIN_STAKE: z.coerce.number().positive().default(1),
    MAX_TRADE_SIZE: z.coerce.number().positive().default(100_000),
    BINARY_MIN_EXPIRY_SECONDS: positiveInt.default(1),
    BINARY_MAX_EXPIRY_SECONDS: positiveInt.default(86_400),
    /**
     * Workers resume OPEN trades past expiry whose workflow is missing, every interval. Off only
     * where several deployments share one database (the tests): there each worker would resume the
     * others' leftover trades.
     */
    BINARY_RECONCILER: flag.default(true),
    BINARY_RECONCILE_INTERVAL_MS: positiveInt.default(60_000),

    // --- Real-time: Socket.IO on every API instance, Redis adapter keyed by REDIS_PREFIX.
    /** Names this API instance in logs and in the `session:ready` greeting (default: random per process). */
    INSTANCE_ID: z.string().min(1).optional(),
    /** Websocket only by default: long-polling needs sticky sessions at the load balancer. */
    SOCKET_IO_POLLING: flag.default(false),
    /** Browser origins allowed to open a connection (CORS); empty = same origin only. */
    SOCKET_IO_CORS_ORIGINS: csv.default([]),
    SOCKET_IO_PING_INTERVAL_MS: positiveInt.default(25_000),
    SOCKET_IO_PING_TIMEOUT_MS: positiveInt.default(20_000),
    /** Connection attempts and room requests per user per window, counted in Redis (shared by all instances). */
    SOCKET_CONNECT_LIMIT: positiveInt.default(30),
    SOCKET_ROOM_REQUEST_LIMIT: positiveInt.default(30),
    SOCKET_RATE_WINDOW_MS: positiveInt.default(60_000),
    /** `queue:metrics` to the admins room, once per interval across all instances; 0 turns it off. */
    QUEUE_METRICS_BROADCAST_MS: z.coerce.number().int().min(0).default(10_000),

    // --- AML thresholds, amounts in whole currency units.
    MAX_DAILY_DEPOSITS: z.coerce.number().positive().default(50_000),
    MAX_DAILY_WITHDRAWALS: z.coerce.number().positive().default(50_000),
    MAX_TRADES_PER_HOUR: positiveInt.default(100),
    SUSPICIOUS_VELOCITY_THRESHOLD: positiveInt.default(10),
    MAX_DAILY_TRADE_VOLUME: z.coerce.number().positive().default(500_000),
    BANNED_COUNTRIES: csv.default(['KP', 'IR', 'SY']),
    /** OpenSanctions targets.simple.csv layout; the shipped sample by default. */
    SANCTIONS_LIST_PATH: z.string().default('data/sanctions/sample.csv'),
    AML_REMINDER_INTERVAL_MS: positiveInt.default(24 * 3600 * 1000),
    /** An unresolved finding of the same type is not repeated within this window. */
    AML_ALERT_COOLDOWN_MS: positiveInt.default(24 * 3600 * 1000),

    RUN_MIGRATIONS: flag.default(true),

    // --- Outbox: the relay in each worker process delivers what use cases recorded.
    /**
     * Outbox rows are relayed only by processes of the same channel, so deployments (or test
     * runs) sharing a database never deliver each other's rows. Default: REDIS_PREFIX.
     */
    OUTBOX_CHANNEL: z.string().min(1).optional(),
    /** Prepended to the task-queue names: lets tests (and side-by-side deployments) share a Temporal namespace. */
    TASK_QUEUE_PREFIX: z.string().default(''),
    /** Run the outbox relay in the worker process. */
    OUTBOX_RELAY: flag.default(true),
    /** Polling fallback when no NOTIFY arrives (a lost LISTEN connection). */
    OUTBOX_POLL_INTERVAL_MS: positiveInt.default(1000),
    /** Delivered rows are kept this long for inspection, then deleted. */
    OUTBOX_RETENTION_HOURS: positiveInt.default(72),
    /** Test only: crash points (kernel/faults.ts) that SIGKILL the process when reached. */
    FAULT_CRASH_POINTS: csv.default([]),
    /** Test only: pause points (kernel/faults.ts) that hold the code there for FAULT_PAUSE_MS. */
    FAULT_PAUSE_POINTS: csv.default([]),
    FAULT_PAUSE_MS: positiveInt.default(15_000),

    // --- Queues: email worker, AI-arbitrage scans, metrics.
    /** CONSOLE transport: also append each email as a JSON line to this file. */
    EMAIL_OUTBOX_FILE: z.string().optional(),
    EMAIL_CONCURRENCY: positiveInt.default(10),
    /** BullMQ limiter, global across workers: at most EMAIL_RATE_MAX jobs per EMAIL_RATE_DURATION_MS. */
    EMAIL_RATE_MAX: positiveInt.default(100),
    EMAIL_RATE_DURATION_MS: positiveInt.default(60_000),
    /** Run the BullMQ workers (email, AI scans) in the worker process. */
    QUEUE_WORKERS: flag.default(true),
    AI_SCAN_INTERVAL_MS: positiveInt.default(60_000),
    /** Register the recurring scan (job scheduler) at worker start. */
    AI_SCAN_SCHEDULE: flag.default(true),
    AI_SCAN_RATE_MAX: positiveInt.default(10),
    AI_SCAN_RATE_DURATION_MS: positiveInt.default(60_000),
    /** Simulated venues for scans, NAME=FEE_BPS:HALF_SPREAD_BPS:OFFSET_BPS. */
    ARBITRAGE_VENUES: csv.default(['alpha=10:5:0', 'beta=15:8:3']),
    ARBITRAGE_OPPORTUNITY_TTL_SECONDS: positiveInt.default(300),
    // --- Outbound webhooks to integrators (src/features/webhooks/).
    /**
     * Accept endpoint URLs that resolve to private, loopback, link-local or otherwise internal
     * addresses. Off by default (SSRF); for local development and tests only, refused in production.
     */
    WEBHOOK_ALLOW_PRIVATE_URLS: flag.default(false),
    /** First retry delay of a failed delivery; doubles per attempt up to WEBHOOK_BACKOFF_MAX_MS. */
    WEBHOOK_BACKOFF_BASE_MS: positiveInt.default(30_000),
    WEBHOOK_BACKOFF_MAX_MS: positiveInt.default(3600_000),
    /** Retries continue until the next one would start later than this after the first attempt. */
    WEBHOOK_RETRY_WINDOW_MS: positiveInt.default(24 * 3600_000),
    /** One attempt (connect, send, response) may take this long. */
    WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
    WEBHOOK_CONCURRENCY: positiveInt.default(10),
    /** After a rotation the previous secret still signs (second v1=) for this long, unless the request says otherwise. */
    WEBHOOK_ROTATION_OVERLAP_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(24 * 3600),
    // --- Throttling (Redis, shared by all instances): requests per RATE_LIMIT_WINDOW_SECONDS.
    RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
    RATE_LIMIT_LOGIN_PER_IP: positiveInt.default(30),
    RATE_LIMIT_LOGIN_PER_ACCOUNT: positiveInt.default(10),
    RATE_LIMIT_REGISTER_PER_IP: positiveInt.default(10),
    RATE_LIMIT_REGISTER_PER_ACCOUNT: positiveInt.default(3),
    RATE_LIMIT_WEBHOOK_PER_IP: positiveInt.default(600),
    RATE_LIMIT_WEBHOOK_PER_PROVIDER: positiveInt.default(1200),
    /** This many wrong passwords on one account within LOGIN_LOCK_SECONDS lock it for LOGIN_LOCK_SECONDS. */
    LOGIN_LOCK_FAILURES: positiveInt.default(10),
    LOGIN_LOCK_SECONDS: positiveInt.default(900),

    /** GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is off. */
    METRICS_TOKEN: z.string().min(16).optional(),
    /**
     * Cluster-wide gauges (queue depths, workflow counts) are read once per this interval by the
     * replica holding the metrics lease (the scrape interval is a good value).
     */
    METRICS_CACHE_MS: z.coerce.number().int().min(1000).default(15_000),
    /** host:port where a worker process serves its own /metrics (BullMQ jobs, settlements, KYC decisions); unset: none. */
    WORKER_METRICS_ADDRESS: z
      .string()
      .regex(/^[^:]*:\d+$/)
      .optional(),
    /** host:port of the Temporal SDK's own Prometheus endpoint (/metrics) in a worker process; unset: none. */
    TEMPORAL_METRICS_ADDRESS: z
      .string()
      .regex(/^[^:]*:\d+$/)
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      const secrets = [
        'JWT_SECRET',
        'WORKFLOW_SIGNING_KEY',
        'KYC_LOCAL_WEBHOOK_SECRET',
        PROVIDER_WEBHOOK_SECRET[env.KYC_PROVIDER],
        'METRICS_TOKEN',
      ];
      for (const name of new Set(secrets)) {
        const value = (env as Record<string, unknown>)[name];
        if (typeof value !== 'string') {
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
        } else if (PUBLIC_SECRET_VALUES.includes(value)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'is a value written in the repository; generate one' });
        }
      }
      if (env.KYC_PROVIDER === 'LOCAL') {
        ctx.addIssue({ code: 'custom', path: ['KYC_PROVIDER'], message: 'LOCAL is not allowed in production' });
      }
      if (env.WEBHOOK_ALLOW_PRIVATE_URLS) {
        ctx.addIssue({
          code: 'custom',
          path: ['WEBHOOK_ALLOW_PRIVATE_URLS'],
          message: 'is for local development and tests; not allowed in production',
        });
      }
      if (env.MARKET_FEED === 'SIMULATED') {
        ctx.addIssue({ code: 'custom', path: ['MARKET_FEED'], message: 'SIMULATED is not allowed in production' });
      }
    }
    if (env.FAULT_CRASH_POINTS.length > 0 && env.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['FAULT_CRASH_POINTS'], message: 'is allowed only with NODE_ENV=test' });
    }
    if (env.FAULT_PAUSE_POINTS.length > 0 && env.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['FAULT_PAUSE_POINTS'], message: 'is allowed only with NODE_ENV=test' });
    }
    if (env.EMAIL_PROVIDER === 'SMTP' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when EMAIL_PROVIDER=SMTP' });
    }
    if (env.EMAIL_PROVIDER === 'SENDGRID' && !env.SENDGRID_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SENDGRID_API_KEY'],
        message: 'is required when EMAIL_PROVIDER=SENDGRID',
      });
    }
  })
  .transform((env) => ({
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? randomSecret(),
    WORKFLOW_SIGNING_KEY: env.WORKFLOW_SIGNING_KEY ?? randomSecret(),
    KYC_LOCAL_WEBHOOK_SECRET: env.KYC_LOCAL_WEBHOOK_SECRET ?? randomSecret(),
  }));

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty string means "not set" (a common result of `FOO=` in .env files).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return parsed.data;
}

/** For entry points: parse or print every problem and exit. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
