import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../scripts/stack/net';
import { temporalHealthy } from '../../scripts/stack/temporal';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/**
 * `npm run stack:up` / `stack:stop` on a private data folder and a free Temporal port:
 * the dev server it starts persists workflows in SQLite across a restart, and stop stops
 * only what up started (the machine's PostgreSQL and Redis keep answering).
 */
describe('local stack script', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-'));
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const port = await freePort();
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_UI_PORT: String(await freePort()),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: process.env.TEST_REDIS_URL,
    };
  });

  afterAll(() => {
    execFileSync(tsx, [join(root, 'scripts/stack.ts'), 'down'], { env });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stack = (cmd: string) => execFileSync(tsx, [join(root, 'scripts/stack.ts'), cmd], { env, encoding: 'utf8' });

  it('starts a persistent dev server, keeps workflows across a restart, and stops only its own processes', async () => {
    stack('up');
    const state = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));
    // PostgreSQL and Redis were already there; the dev server is headless, the UI its own server.
    expect(Object.keys(state.pids)).toEqual(['temporal', 'temporal-ui']);
    await expectReadOnlyUi(Number(env.TEMPORAL_UI_PORT));
    expect(readFileSync(join(dataDir, 'stack.env'), 'utf8')).toContain(`TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}`);

    // A workflow with no worker simply waits: enough to see whether the server remembers it.
    const workflowId = `persist-${Date.now()}`;
    let connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    await new Client({ connection }).workflow.start('nothingRunsThis', { taskQueue: 'nobody', workflowId });
    await connection.close();

    const stopped = stack('down');
    expect(stopped).toMatch(/stopped temporal \(pid \d+\)/);
    expect(stopped).toMatch(/stopped temporal-ui \(pid \d+\)/);
    expect(await temporalHealthy(env.TEMPORAL_ADDRESS!)).toBe(false);
    expect(await temporalHealthy(process.env.TEST_TEMPORAL_ADDRESS!)).toBe(true); // not ours: untouched

    stack('up');
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('nothingRunsThis');
    await connection.close();
  });
});

/**
 * Issue 17: the UI `npm start` runs listens on 127.0.0.1 only and refuses every write (405 from
 * the UI server itself, a valid CSRF token given); reading and queries still work.
 */
async function expectReadOnlyUi(port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const settings = await fetch(`${base}/api/v1/settings`);
  expect(settings.status).toBe(200);
  expect(await settings.json()).toMatchObject({ DisableWriteActions: true, WorkflowTerminateDisabled: true });
  const cookie = settings.headers.getSetCookie().find((c) => c.startsWith('_csrf='))!;
  const token = cookie.slice('_csrf='.length).split(';')[0]!;
  const write = (path: string) =>
    fetch(`${base}/api/v1/namespaces/default/workflows/any-workflow/${path}`, {
      method: 'POST',
      headers: { cookie: `_csrf=${token}`, 'x-csrf-token': token, 'content-type': 'application/json' },
      body: '{}',
    });
  for (const path of ['terminate', 'cancel', 'signal/anything', 'update/anything', 'reset']) {
    expect([path, (await write(path)).status]).toEqual([path, 405]);
  }
  // Bound to the loopback address only (execFileSync: `ss` lists the listening socket).
  const listening = execFileSync('sh', ['-c', `ss -ltnH 'sport = :${port}' || true`], { encoding: 'utf8' });
  if (listening.trim()) expect(listening).toContain(`127.0.0.1:${port}`);
}
