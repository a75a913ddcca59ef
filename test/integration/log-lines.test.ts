/**
 * Issue 17 item 4, one log stream: the real API and worker processes (src/main/api.ts,
 * src/main/worker.ts) write one JSON object per stdout line, the Temporal SDK's lines included;
 * request lines carry the route template, the user and the status; the request id of a request
 * reaches the workflow it starts (memo, log lines) and that workflow's activities (log lines);
 * no task token is ever logged.
 */
import { randomUUID } from 'node:crypto';
import { freePorts } from '../../scripts/stack/net';
import { connectClient } from '../../src/kernel/temporal/connection';
import { kycWorkflowId } from '../../src/features/kyc/cases';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser } from '../helpers/http';
import {
  childEnv,
  startApiProcess,
  startWorkerProcess,
  stopAllProcesses,
  type ApiProcess,
  type ChildHandle,
} from '../helpers/processes';

type Line = Record<string, any>;

let api: ApiProcess;
let worker: ChildHandle;
const REDIS_PREFIX = `test-logs-${randomUUID().slice(0, 8)}`;
const startedWorkflows: string[] = [];

beforeAll(async () => {
  const env = childEnv({
    REDIS_PREFIX,
    // Task queues of their own: no other test's worker takes these workflows.
    TASK_QUEUE_PREFIX: `${REDIS_PREFIX}-`,
    LOG_LEVEL: 'info',
    AI_SCAN_SCHEDULE: 'false',
  });
  const [port] = (await freePorts(1)) as [number];
  // Debug on the worker: the SDK's per-activity and per-workflow lines are debug lines.
  const starting = startWorkerProcess('worker', env, 'debug');
  api = await startApiProcess('api', port, env);
  worker = await starting;
}, 240_000);

afterAll(async () => {
  const temporal = await connectClient({ address: process.env.TEST_TEMPORAL_ADDRESS!, namespace: 'default' });
  for (const id of startedWorkflows) {
    await temporal.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  }
  await temporal.connection.close();
  await stopAllProcesses();
});

/** Every stdout line, parsed; a line that is not one JSON object fails the test with the line. */
function linesOf(child: ChildHandle): Line[] {
  return child.stdoutLines().map((text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${child.name} wrote a line that is not JSON: ${text.slice(0, 300)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${child.name} wrote a line that is not a JSON object: ${text.slice(0, 300)}`);
    }
    return parsed as Line;
  });
}

it('a request id goes from the request line to the workflow and its activities; every line is one JSON object', async () => {
  const http = httpClient(api.url);
  const user = await registerUser(http);
  const requestId = `req-${randomUUID()}`;
  const res = await http.post('/kyc/start', { provider: 'LOCAL' }, user.token, { 'x-request-id': requestId });
  expect(res.status).toBe(202);
  startedWorkflows.push(kycWorkflowId(user.id));

  // The request line: route template, user, status, request id.
  const requestLine = await eventually(
    async () => linesOf(api).find((l) => l.msg === 'request' && l.requestId === requestId),
    10_000,
    'the request line',
  );
  expect(requestLine).toMatchObject({ method: 'POST', route: '/kyc/start', status: 202, userId: user.id });

  // A refusal's line names its code; a route with a parameter logs its template, not the id.
  const other = await registerUser(http);
  const refused = await http.put(`/kyc/admin/${other.id}/approve`, {}, user.token, {
    'x-request-id': `${requestId}-2`,
  });
  expect(refused.status).toBe(403);
  const refusedLine = await eventually(
    async () => linesOf(api).find((l) => l.msg === 'request' && l.requestId === `${requestId}-2`),
    10_000,
    'the refused request line',
  );
  expect(refusedLine).toMatchObject({ status: 403, code: 'FORBIDDEN', userId: user.id });
  expect(refusedLine.route).toMatch(/:userId/);
  expect(refusedLine.route).not.toContain(other.id);

  // The workflow's activities log with the request id (the header the workflow interceptor set).
  const activityLines = await eventually(
    async () => {
      const found = linesOf(worker).filter((l) => l.requestId === requestId && l.activityType);
      return found.some((l) => l.activityType === 'kycCreateVerification') && found;
    },
    30_000,
    'activity lines with the request id',
  );
  expect(activityLines.map((l) => l.activityType)).toEqual(
    expect.arrayContaining(['kycRecordPending', 'kycCreateVerification']),
  );
  for (const l of activityLines) expect(l).toMatchObject({ workflowId: kycWorkflowId(user.id), requestId });
  // And the workflow's own lines.
  const workflowLines = linesOf(worker).filter((l) => l.workflowType === 'kycVerification' && !l.activityType);
  expect(
    workflowLines.filter((l) => l.workflowId === kycWorkflowId(user.id)).map((l) => [l.msg, l.requestId]),
  ).toContainEqual(['Workflow started', requestId]);

  // The memo says which request started the run; the UI shows the summary.
  const temporal = await connectClient({ address: process.env.TEST_TEMPORAL_ADDRESS!, namespace: 'default' });
  try {
    const described = await temporal.workflow.getHandle(kycWorkflowId(user.id)).describe();
    expect(described.memo).toMatchObject({ requestId });
    expect(await described.staticSummary()).toBe(`KYC of user ${user.id} at LOCAL`);
  } finally {
    await temporal.connection.close();
  }

  // Every line of both processes is one JSON object with pino's fields; none holds a task token.
  for (const child of [api, worker]) {
    const lines = linesOf(child);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines)
      expect(l).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    // Neither a taskToken field nor the core's `TaskToken(<base64>)` inside its debug text.
    const text = child.stdoutLines().join('\n');
    expect(text).not.toMatch(/"task_?token"\s*:/i);
    expect(text).not.toMatch(/TaskToken\((?!redacted\))/);
  }
});
