import type { AppContext } from '../src/main/context';

/**
 * Activities per task queue, built from the process context. Each area contributes a factory
 * (createKycActivities(deps), ...) whose result is spread into its queue's object here.
 */
export function createActivities(ctx: AppContext): { compliance: object; trading: object } {
  void ctx;
  return { compliance: {}, trading: {} };
}
