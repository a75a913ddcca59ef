import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, isListening, waitFor } from '../../scripts/stack/net';
import { trackChild } from './app-process';
import type { BenchEnv } from './types';

/**
 * bench/baselines/koa-layers.ts in a process of its own, through tsx like the API's processes:
 * `route` (health or wallet) with `layers` (comma-separated) of the API's middleware and parts.
 */
export async function startLayersServer(
  env: BenchEnv,
  route: 'health' | 'wallet',
  layers: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const [port] = await freePorts(1);
  const dir = join(env.projectDir, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dir, `koa-layers-${route}-${port}.log`), 'w');
  const child = spawn(
    process.execPath,
    [
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
  closeSync(out);
  trackChild(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(`koa layers ${route} ${layers}`, () => isListening('127.0.0.1', port!), 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}
