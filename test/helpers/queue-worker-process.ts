/**
 * A BullMQ worker process for shutdown tests: the real context and initQueues() with the
 * entry points' signal handling, configured from the environment. Prints "ready" when running.
 */
import { loadConfig } from '../../src/kernel/config';
import { createContext } from '../../src/main/context';
import { initQueues } from '../../src/main/queues';

void (async () => {
  const ctx = await createContext(loadConfig(process.env), 'queue-worker');
  ctx.shutdown.onSignals();
  await initQueues(ctx, { workers: ['email'] });
  process.stdout.write('ready\n');
})().catch((err) => {
  process.stderr.write(`queue worker failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
