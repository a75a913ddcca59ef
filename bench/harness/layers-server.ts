import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { startListeningProcess, type ListeningProcess } from './listening-process';
import type { BenchEnv } from './types';

/**
 * bench/baselines/koa-layers.ts in a process of its own, through tsx like the API's processes:
 * `route` (health or wallet) with `layers` (comma-separated) of the API's middleware and parts.
 */
export async function startLayersServer(
  env: BenchEnv,
  route: 'health' | 'wallet',
  layers: string,
): Promise<ListeningProcess> {
  const dir = join(env.projectDir, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dir, `koa-layers-${route}-${layers.replace(/,/g, '-') || 'koa'}.log`), 'w');
  try {
    return await startListeningProcess(
      `koa layers ${route} ${layers}`,
      (port) => [
        '--import',
        'tsx',
        join(env.projectDir, 'bench', 'baselines', 'koa-layers.ts'),
        String(port),
        route,
        layers,
        env.databaseUrl,
      ],
      { cwd: env.projectDir, env: { PATH: process.env.PATH, NODE_ENV: 'development' }, stdio: ['ignore', out, out] },
    );
  } finally {
    closeSync(out);
  }
}
