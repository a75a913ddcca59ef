import { createAmlActivities, type AmlActivityDeps } from '../src/features/aml/activities';
import { createBinaryActivities, type BinaryActivityDeps } from '../src/features/binary/activities';
import { createKycActivities, type KycActivityDeps } from '../src/features/kyc/activities';

/** What each feature's activities need; the worker's composition root (src/main/worker.ts) builds it. */
export interface ActivityDeps {
  kyc: KycActivityDeps;
  aml: AmlActivityDeps;
  binary: BinaryActivityDeps;
}

/** The activities of each task queue: `compliance` runs KYC and AML, `trading` runs binary options. */
export function activitiesPerTaskQueue(deps: ActivityDeps) {
  return {
    compliance: { ...createKycActivities(deps.kyc), ...createAmlActivities(deps.aml) },
    trading: createBinaryActivities(deps.binary),
  };
}
