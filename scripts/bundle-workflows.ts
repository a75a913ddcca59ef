/**
 * Builds the production workflow bundle (dist/workflow-bundle.js) so workers start without
 * bundling. It holds an empty signing-key slot, never a key: each worker fills the slot in memory
 * at start (src/kernel/temporal/signing-slot.ts).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflows } from '../src/kernel/temporal/worker';

async function main() {
  // Runs compiled, from dist/scripts: bundle the compiled workflows beside it.
  const dist = resolve(__dirname, '..');
  const { code } = await bundleWorkflows({ workflowsPath: require.resolve(join(dist, 'workflows')) });
  const out = join(dist, 'workflow-bundle.js');
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
