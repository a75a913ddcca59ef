import { join } from 'node:path';
import { startListeningProcess, type ListeningProcess } from './listening-process';

export type BareServer = ListeningProcess;

/** One of bench/baselines/bare-servers.js in a process of its own, as the API runs in its own. */
export function startBareServer(kind: 'json' | 'wallet', databaseUrl?: string): Promise<BareServer> {
  return startListeningProcess(
    `bare ${kind} server`,
    (port) => [
      join(__dirname, '..', 'baselines', 'bare-servers.js'),
      kind,
      String(port),
      ...(databaseUrl ? [databaseUrl] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
