import type { AppContext } from '../src/main/context';
import { kycProvidersFromConfig } from '../src/features/kyc/providers/registry';
import { priceFeedFromConfig } from '../src/features/market';
import { createAmlActivities } from '../src/features/aml/activities';
import { createBinaryActivities } from '../src/features/binary/activities';
import { createKycActivities } from '../src/features/kyc/activities';

/**
 * Activities per task queue, built from the process context. Each area contributes a factory
 * (createKycActivities(deps), ...) whose result is spread into its queue's object here.
 */
export function createActivities(ctx: AppContext): { compliance: object; trading: object } {
  const base = { orm: ctx.orm, email: ctx.email, events: ctx.events, logger: ctx.logger };
  return {
    compliance: {
      ...createKycActivities({ ...base, providers: kycProvidersFromConfig(ctx.config) }),
      ...createAmlActivities(base),
    },
    trading: {
      ...createBinaryActivities({
        ...base,
        feed: priceFeedFromConfig(ctx.config, () => ctx.orm.em.fork()),
        lock: ctx.lock,
        activityObserver: () => ctx.activityObserver,
      }),
    },
  };
}
