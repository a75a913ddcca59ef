/**
 * Every stored history (test/histories/<workflow>/<path>.json, recorded from real runs by
 * `npm run histories:record`) replays against the workflows as they are now. A change that would
 * break a workflow already running in a cluster (reordered or removed activities, timers, search
 * attribute updates) fails here with the file's name; README "Workflow histories" says what to do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { testWorkflowBundle } from '../helpers/context';

const dir = join(__dirname, '..', 'histories');

/** The paths issue 19 asked for; more files may exist, none of these may go missing. */
const REQUIRED = [
  'aml-freeze/keep-frozen',
  'aml-freeze/unfreeze-two-admins',
  'binary-trade/lost',
  'binary-trade/settlement-failed-admin-retry',
  'binary-trade/tie',
  'binary-trade/won',
  // Recorded after the opening became a local activity (patch binary-open-local-activity).
  'binary-trade/lost-open-local',
  'binary-trade/refused-insufficient-funds-open-local',
  'binary-trade/settlement-failed-admin-retry-open-local',
  'binary-trade/won-open-local',
  'kyc-verification/approved',
  'kyc-verification/hard-deadline-expired',
  'kyc-verification/provider-deadline-admin-approved',
  'kyc-verification/rejected',
  'kyc-verification/retry-resubmitted-approved',
];

const storedFiles = (): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') && f !== 'workflow-ids.json')
    .map((f) =>
      relative(dir, join(dir, f))
        .replace(/\\/g, '/')
        .replace(/\.json$/, ''),
    )
    .sort();

it('has a stored history for every required path', () => {
  expect(storedFiles()).toEqual(expect.arrayContaining(REQUIRED));
});

it('replays every stored history against the current workflows without nondeterminism', async () => {
  const names = storedFiles();
  // A history replays under the workflow id it was recorded with (signed inputs name it);
  // histories recorded before the ids were kept predate signing, and replay under their file name.
  const ids = JSON.parse(readFileSync(join(dir, 'workflow-ids.json'), 'utf8')) as Record<string, string>;
  const nameOf = new Map(names.map((name) => [ids[name] ?? name, name]));
  const histories = names.map((name) => ({
    workflowId: ids[name] ?? name,
    history: historyFromJSON(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'))),
  }));
  const failures: string[] = [];
  const replayed: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await testWorkflowBundle() }, histories)) {
    const name = nameOf.get(r.workflowId) ?? r.workflowId;
    replayed.push(name);
    // The core's own line ("[TMPRL1100] Nondeterminism error: ...") says what differs.
    const reason = r.error?.message.match(/\[TMPRL\d+\][^"]*/)?.[0] ?? r.error?.message;
    if (r.error) failures.push(`${name}.json: ${reason}`);
  }
  expect(failures).toEqual([]);
  expect(replayed.sort()).toEqual(names);
});
