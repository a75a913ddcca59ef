import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/kernel/config';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has working local defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/compliance',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      KYC_PROVIDER: 'LOCAL',
      EMAIL_PROVIDER: 'CONSOLE',
      RUN_MIGRATIONS: true,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('sizes the PostgreSQL pool per process: 10 unless DATABASE_POOL_MAX says otherwise, never 0', () => {
    expect(loadConfig({}).DATABASE_POOL_MAX).toBe(10);
    expect(loadConfig({ DATABASE_POOL_MAX: '4' }).DATABASE_POOL_MAX).toBe(4);
    expect(problemsOf({ DATABASE_POOL_MAX: '0' })).toEqual([expect.stringMatching(/^DATABASE_POOL_MAX: /)]);
    expect(problemsOf({ DATABASE_POOL_MAX: 'many' })).toEqual([expect.stringMatching(/^DATABASE_POOL_MAX: /)]);
  });

  it("bounds each Temporal worker's sticky cache: 1,000 workflows unless TEMPORAL_MAX_CACHED_WORKFLOWS says otherwise, at least 2", () => {
    expect(loadConfig({}).TEMPORAL_MAX_CACHED_WORKFLOWS).toBe(1_000);
    expect(loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '250' }).TEMPORAL_MAX_CACHED_WORKFLOWS).toBe(250);
    expect(problemsOf({ TEMPORAL_MAX_CACHED_WORKFLOWS: '1' }).map((p) => p.split(':')[0])).toEqual([
      'TEMPORAL_MAX_CACHED_WORKFLOWS',
    ]);
  });

  it('names a bad DATABASE_URL and a missing production JWT_SECRET in one error', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'mysql://x@y/z' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL: must be a URL starting with postgres:/),
        'JWT_SECRET: is required in production',
        'WORKFLOW_SIGNING_KEY: is required in production',
      ]),
    );
  });

  it('accepts production with private secrets, a real provider and a real market', () => {
    const own = () => randomBytes(32).toString('hex');
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: own(),
      WORKFLOW_SIGNING_KEY: own(),
      KYC_PROVIDER: 'ONFIDO',
      KYC_LOCAL_WEBHOOK_SECRET: own(),
      ONFIDO_WEBHOOK_TOKEN: own(),
      METRICS_TOKEN: own(),
      MARKET_FEED: 'EXCHANGE',
    });
    expect(config.KYC_PROVIDER).toBe('ONFIDO');
    expect(config.WEBHOOK_ALLOW_PRIVATE_URLS).toBe(false);
  });

  it('allows private webhook URLs only outside production', () => {
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).WEBHOOK_ALLOW_PRIVATE_URLS).toBe(true);
    expect(problemsOf({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toContain(
      'WEBHOOK_ALLOW_PRIVATE_URLS: is for local development and tests; not allowed in production',
    );
  });

  it('has no secret default: two loads without secrets get different random ones', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.JWT_SECRET).not.toBe(b.JWT_SECRET);
    expect(a.WORKFLOW_SIGNING_KEY).not.toBe(b.WORKFLOW_SIGNING_KEY);
    expect(a.KYC_LOCAL_WEBHOOK_SECRET).not.toBe(b.KYC_LOCAL_WEBHOOK_SECRET);
    expect(a.MARKET_SEED).toBeUndefined();
    expect(a.METRICS_TOKEN).toBeUndefined();
  });

  it('reads "false" as false, not as a truthy string', () => {
    expect(loadConfig({ RUN_MIGRATIONS: 'false' }).RUN_MIGRATIONS).toBe(false);
    expect(problemsOf({ RUN_MIGRATIONS: 'no' })[0]).toMatch(/^RUN_MIGRATIONS:/);
  });

  it('refuses a short JWT secret, a bad port and an unknown provider', () => {
    const problems = problemsOf({ JWT_SECRET: 'short', PORT: '70000', KYC_PROVIDER: 'ACME' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['JWT_SECRET', 'KYC_PROVIDER', 'PORT']);
  });

  it('requires the transport settings of the chosen email provider', () => {
    expect(problemsOf({ EMAIL_PROVIDER: 'SMTP' })).toEqual(['SMTP_URL: is required when EMAIL_PROVIDER=SMTP']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/compliance');
  });

  it('reads REDIS_CLUSTER_NODES as host:port pairs, empty when unset, and names a malformed one', () => {
    expect(loadConfig({}).REDIS_CLUSTER_NODES).toEqual([]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ,' }).REDIS_CLUSTER_NODES).toEqual([
      '10.0.0.1:7000',
      'redis-b:7001',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b' })).toEqual([
      expect.stringMatching(/^REDIS_CLUSTER_NODES.*host:port/),
    ]);
  });
});
