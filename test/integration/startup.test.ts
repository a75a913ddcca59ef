import { spawnSync } from 'node:child_process';
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
