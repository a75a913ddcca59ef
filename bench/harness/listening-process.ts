import { spawn, type StdioOptions } from 'node:child_process';
import { freePorts, isListening, waitFor } from '../../scripts/stack/net';
import { trackChild } from './app-process';

export interface ListeningProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * A server process of the bench (a baseline or a layered variant): started with a free port as
 * `args(port)`, stopped with the rest on failure and Ctrl-C (trackChild), ready once it listens.
 */
export async function startListeningProcess(
  label: string,
  args: (port: number) => string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdio: StdioOptions },
): Promise<ListeningProcess> {
  const [port] = await freePorts(1);
  const child = spawn(process.execPath, args(port!), options);
  trackChild(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(label, () => isListening('127.0.0.1', port!), 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}
