import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePorts, isListening, waitFor } from '../../scripts/stack/net';
import { trackChild } from './app-process';

export interface BareServer {
  url: string;
  stop(): Promise<void>;
}

/** One of bench/baselines/bare-servers.js in a process of its own, as the API runs in its own. */
export async function startBareServer(kind: 'json' | 'wallet', databaseUrl?: string): Promise<BareServer> {
  const [port] = await freePorts(1);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(__dirname, '..', 'baselines', 'bare-servers.js'), kind, String(port), ...(databaseUrl ? [databaseUrl] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  trackChild(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(`bare ${kind} server`, () => isListening('127.0.0.1', port!), 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}
