import type { Logger } from '../kernel/logger';

/**
 * Ordered, idempotent shutdown: closers run in reverse order of registration (last opened,
 * first closed), each once, each failure logged and not stopping the rest.
 */
export class Shutdown {
  private readonly closers: { name: string; close: () => Promise<unknown> | unknown }[] = [];
  private running?: Promise<void>;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<unknown> | unknown): void {
    this.closers.push({ name, close });
  }

  run(reason: string): Promise<void> {
    this.running ??= (async () => {
      this.logger.info({ reason }, 'shutting down');
      for (const { name, close } of [...this.closers].reverse()) {
        try {
          await close();
          this.logger.debug({ name }, 'closed');
        } catch (err) {
          this.logger.error({ err, name }, 'close failed');
        }
      }
      this.logger.info('shutdown complete');
    })();
    return this.running;
  }

  /** SIGTERM/SIGINT run the shutdown once, then exit. */
  onSignals(exit: (code: number) => void = process.exit): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void this.run(signal).then(() => exit(0));
      });
    }
  }
}
