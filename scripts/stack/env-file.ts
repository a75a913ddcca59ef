import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
