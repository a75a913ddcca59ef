import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `.data/stack.env`: the addresses `stack up` resolved, as KEY=value lines. */
export const stackEnvPath = (dataDir: string) => join(dataDir, 'stack.env');

export function writeStackEnv(dataDir: string, env: Record<string, string>): void {
  writeFileSync(
    stackEnvPath(dataDir),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
}

/** The resolved addresses, or {} when the stack has not been brought up. */
export function readStackEnv(dataDir: string): Record<string, string> {
  const file = stackEnvPath(dataDir);
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8'));
}

const parseEnv = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/** The secrets a local stack needs; generated on the first run, reused afterwards. */
export const LOCAL_SECRETS = [
  'JWT_SECRET',
  'WORKFLOW_SIGNING_KEY',
  'KYC_LOCAL_WEBHOOK_SECRET',
  'METRICS_TOKEN',
] as const;

export const secretsEnvPath = (dataDir: string) => join(dataDir, 'secrets.env');

/**
 * `.data/secrets.env`: random values for this clone only, readable by its owner only. A value
 * already in the environment wins and is not written.
 */
export function ensureLocalSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  const file = secretsEnvPath(dataDir);
  const stored = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const name of LOCAL_SECRETS) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString('hex');
      changed = true;
    }
  }
  if (changed) {
    const text = Object.entries(stored)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    writeFileSync(file, `${text}\n`, { mode: 0o600 });
  }
  return Object.fromEntries(LOCAL_SECRETS.filter((n) => !env[n]).map((n) => [n, stored[n]!]));
}
