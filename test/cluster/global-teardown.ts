/** Stops what the cluster global setup started (its pid files), then the usual teardown. */
import { join, resolve } from 'node:path';
import { stopPidFiles } from '../../scripts/stack/pid-files';
import baseGlobalTeardown from '../global-teardown';

export default async function globalTeardown(): Promise<void> {
  await stopPidFiles(join(resolve(__dirname, '..', '..'), '.data', 'test-cluster', 'pids'), 10_000);
  await baseGlobalTeardown();
}
