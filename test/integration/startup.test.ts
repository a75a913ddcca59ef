import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs an entry point as a real process with only the given environment (plus PATH/HOME). */
function runEntry(entry: string, env: Record<string, string>) {
  return spawnSync(tsx, [join(root, entry)], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('start-up with a bad configuration', () => {
  it.each(['src/main/api.ts', 'src/main/worker.ts'])('%s exits 1 naming every bad variable', (entry) => {
    const res = runEntry(entry, { NODE_ENV: 'production', DATABASE_URL: 'http://db.example/x' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Invalid configuration');
    expect(res.stderr).toMatch(/DATABASE_URL: must be a URL starting with postgres:/);
    expect(res.stderr).toContain('JWT_SECRET: is required in production');
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});

describe('production refuses secrets anyone can read and the simulated parts', () => {
  // Fresh, private values: what an operator would generate.
  const own = () => randomBytes(32).toString('hex');
  const production = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    JWT_SECRET: own(),
    WORKFLOW_SIGNING_KEY: own(),
    KYC_PROVIDER: 'VERIFF',
    KYC_LOCAL_WEBHOOK_SECRET: own(),
    VERIFF_API_KEY: own(),
    VERIFF_SHARED_SECRET: own(),
    METRICS_TOKEN: own(),
    MARKET_FEED: 'EXCHANGE',
    ...extra,
  });

  it.each([
    ['JWT_SECRET', { JWT_SECRET: 'dev-only-secret-change-me-dev-only-secret' }, 'is a value written in the repository'],
    ['JWT_SECRET', { JWT_SECRET: 'test-secret-test-secret-test-secret-0123' }, 'is a value written in the repository'],
    ['WORKFLOW_SIGNING_KEY', { WORKFLOW_SIGNING_KEY: '' }, 'is required in production'],
    [
      'WORKFLOW_SIGNING_KEY',
      { WORKFLOW_SIGNING_KEY: 'test-workflow-signing-key-test-workflow-signing-key' },
      'is a value written in the repository',
    ],
    ['KYC_LOCAL_WEBHOOK_SECRET', { KYC_LOCAL_WEBHOOK_SECRET: '' }, 'is required in production'],
    ['KYC_LOCAL_WEBHOOK_SECRET', { KYC_LOCAL_WEBHOOK_SECRET: 'local-kyc-webhook-secret' }, 'is a value written'],
    ['VERIFF_SHARED_SECRET', { VERIFF_SHARED_SECRET: 'veriff-shared-secret' }, 'is a value written in the repository'],
    ['SUMSUB_WEBHOOK_SECRET', { KYC_PROVIDER: 'SUMSUB' }, 'is required in production'],
    ['METRICS_TOKEN', { METRICS_TOKEN: '' }, 'is required in production'],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'metrics-token-0123456789' }, 'is a value written in the repository'],
    ['KYC_PROVIDER', { KYC_PROVIDER: 'LOCAL' }, 'LOCAL is not allowed in production'],
    ['MARKET_FEED', { MARKET_FEED: 'SIMULATED' }, 'SIMULATED is not allowed in production'],
  ])('exits 1 naming %s (%j)', (name, extra, message) => {
    const res = runEntry('src/main/api.ts', production(extra));
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`${name}: ${message}`);
  });
});

describe('npm start in development: secrets of this clone, generated once', () => {
  it('writes random secrets into .data/secrets.env on the first run and reuses them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-'));
    try {
      const run = () =>
        spawnSync(tsx, [join(root, 'scripts/stack.ts'), 'secrets'], {
          env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir },
          encoding: 'utf8',
          timeout: 60_000,
        });
      expect(run().status).toBe(0);
      const file = join(dataDir, 'secrets.env');
      const first = readFileSync(file, 'utf8');
      const values = Object.fromEntries(
        first
          .trim()
          .split('\n')
          .map((l) => l.split('=') as [string, string]),
      );
      expect(Object.keys(values).sort()).toEqual([
        'JWT_SECRET',
        'KYC_LOCAL_WEBHOOK_SECRET',
        'METRICS_TOKEN',
        'WORKFLOW_SIGNING_KEY',
      ]);
      for (const v of Object.values(values)) expect(v).toMatch(/^[0-9a-f]{64}$/);
      expect(new Set(Object.values(values)).size).toBe(4); // all different
      expect(statSync(file).mode & 0o077).toBe(0);

      expect(run().status).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(first);
      // The start script loads them before the processes start.
      expect(readFileSync(join(root, 'scripts/start.sh'), 'utf8')).toMatch(/\. \.data\/stack\.env/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
