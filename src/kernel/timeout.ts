/**
 * Rejects with `[what ]timed out after <ms> ms` when `work` has not settled in time. The work
 * itself goes on (a promise cannot be cancelled); its late outcome is left to its own handlers.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what ? `${what} ` : ''}timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
