/** Builds the production workflow bundle (dist/workflow-bundle.js) so workers start without bundling. */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main() {
  // Runs compiled, from dist/scripts: bundle the compiled workflows beside it.
  const dist = resolve(__dirname, '..');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve(join(dist, 'workflows')) });
  const out = join(dist, 'workflow-bundle.js');
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
