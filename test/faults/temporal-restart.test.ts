/**
 * Restart a file-backed Temporal dev server (its own, on a free port) while KYC workflows wait
 * for a decision. After the restart the admin approvals reach every one of them: each case is
 * APPROVED once (one approval audit row), and each workflow completes once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/stack/net';
import { findTemporalBinary, startDevServer } from '../../scripts/stack/temporal';
import type { AppContext } from '../../src/main/context';
import { kycWorkflowId } from '../../src/features/kyc/cases';
import { createTestContext, startTestApi } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createStaff, httpClient, registerUser, type TestUser } from '../helpers/http';
import { childEnv, startWorkerProcess, stopAllProcesses } from '../helpers/processes';
import { countBy, figure, isolatedDeployment, secs, size } from './support';

const CASES = size(20, 100);
const dir = mkdtempSync(join(tmpdir(), 'fault-temporal-'));
let serverPid: number | undefined;
let ctx: AppContext | undefined;

const stopServer = async () => {
  if (!serverPid) return;
  const pid = serverPid;
  serverPid = undefined;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return; // gone
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
};

afterAll(async () => {
  await stopAllProcesses();
  await ctx?.shutdown.run('test done');
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
});

it(`restart the file-backed Temporal server while ${CASES} KYC workflows wait: every approval lands, each completes once`, async () => {
  const binary = findTemporalBinary(join(__dirname, '..', '..'));
  expect(binary).toBeDefined();
  const port = await freePort();
  const server = { binary: binary!, port, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') };
  serverPid = await startDevServer(server);
  const address = `127.0.0.1:${port}`;

  const { shared, taskQueues } = isolatedDeployment('temporal', { TEMPORAL_ADDRESS: address });
  ctx = await createTestContext(shared, taskQueues);
  await startWorkerProcess('worker-kyc', childEnv(shared));
  const http = httpClient((await startTestApi(ctx)).url);
  const sql = <T = any>(query: string, params: unknown[] = []) => ctx!.orm.em.fork().execute<T[]>(query, params);

  const users: TestUser[] = [];
  for (let i = 0; i < CASES; i++) {
    const u = await registerUser(http);
    const res = await http.post('/kyc/start', { provider: 'LOCAL' }, u.token);
    expect(res.status).toBe(202);
    users.push(u);
  }
  const ids = users.map((u) => u.id);
  await eventually(
    async () => {
      const [r] = await sql(`select count(*) n from kyc where user_id in (?) and status = 'PENDING'`, [ids]);
      return Number(r.n) === CASES;
    },
    120_000,
    'every case pending',
  );

  // The restart: the server process stops, and a new one opens the same database file.
  const down = Date.now();
  await stopServer();
  serverPid = await startDevServer(server);
  const downFor = Date.now() - down;

  const admin = await createStaff(ctx, 'ADMIN');
  const approvals = await Promise.all(
    users.map((u) => http.put(`/kyc/admin/${u.id}/approve`, { notes: 'after restart' }, admin.token)),
  );
  const approvedAfter = Date.now();
  const statuses = countBy(approvals.map((r) => r.status));
  expect(statuses).toEqual({ 200: CASES });

  const results = await Promise.all(users.map((u) => ctx!.temporal.workflow.getHandle(kycWorkflowId(u.id)).result()));
  const completedIn = Date.now() - approvedAfter;
  expect(results.every((r) => r.status === 'APPROVED')).toBe(true);
  // Once each: one run per workflow id, one approval in the audit trail, the case APPROVED.
  const runs = await Promise.all(
    users.map(async (u) => {
      let n = 0;
      for await (const _w of ctx!.temporal.workflow.list({ query: `WorkflowId = '${kycWorkflowId(u.id)}'` })) n++;
      return n;
    }),
  );
  const audits = await sql(
    `select target_id, count(*) n from audit_logs where target_type = 'kyc' and action = 'kyc.approved' and target_id in (?) group by target_id`,
    [ids],
  );
  const [approved] = await sql(`select count(*) n from kyc where user_id in (?) and status = 'APPROVED'`, [ids]);
  figure(
    'temporal-restart',
    `${CASES} KYC workflows waiting, Temporal down ${secs(downFor)}: ${statuses[200]} approvals accepted, ` +
      `${results.length} completed in ${secs(completedIn)}, runs per workflow ${JSON.stringify(countBy(runs))}, ` +
      `approval audit rows ${audits.reduce((s, a) => s + Number(a.n), 0)}`,
  );
  expect(runs.every((n) => n === 1)).toBe(true);
  expect(audits).toHaveLength(CASES);
  expect(audits.every((a) => Number(a.n) === 1)).toBe(true);
  expect(Number(approved.n)).toBe(CASES);
}, 600_000);
