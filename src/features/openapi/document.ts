import { z, type ZodType } from 'zod';
import type { Config } from '../../kernel/config';
import * as aml from '../aml/routes';
import * as arbitrage from '../arbitrage/routes';
import * as auth from '../auth/routes';
import { binarySchemas } from '../binary/routes';
import * as kyc from '../kyc/routes';
import { KYC_PROVIDERS } from '../kyc/rules';
import { loginBody as boardLoginBody } from '../monitoring/admin-queues-routes';
import { eventsQuery } from '../realtime/routes';
import { tradeBody } from '../trades/routes';
import * as wallet from '../wallet/routes';
import * as webhooks from '../webhooks/routes';
import { errorResponse } from './responses';
import * as amlRes from '../aml/responses';
import * as arbitrageRes from '../arbitrage/responses';
import * as authRes from '../auth/responses';
import * as binaryRes from '../binary/responses';
import { socketToken } from '../console/responses';
import * as kycRes from '../kyc/responses';
import * as monitoringRes from '../monitoring/responses';
import { eventsPage } from '../realtime/responses';
import { spotTrade } from '../trades/responses';
import * as walletRes from '../wallet/responses';
import * as webhooksRes from '../webhooks/responses';

type Method = 'get' | 'post' | 'put' | 'delete';

/** One operation: the zod schemas its handler validates with, and what it answers. */
export interface Operation {
  method: Method;
  /** The @koa/router template (`/binary/:id`); written `{id}` in the document. */
  path: string;
  tag: string;
  summary: string;
  /** bearer: Authorization: Bearer <JWT>; cookie: a session cookie; metrics: METRICS_TOKEN; none. */
  security: 'bearer' | 'cookie' | 'metrics' | 'none';
  body?: ZodType;
  query?: z.ZodObject;
  status?: number;
  /** The success body (JSON); every operation without `produces` has one (openapi.test checks it). */
  response?: ZodType;
  /** Not JSON: the media type answered (HTML pages, Prometheus text, assets). */
  produces?: string | string[];
}

/** Every route of the API (test/integration/openapi.test.ts walks the routers and checks this). */
export function operations(config: Config): Operation[] {
  const binary = binarySchemas(config);
  const kycStart = kyc.kycStartBody([...KYC_PROVIDERS], config.KYC_PROVIDER);
  const op = (o: Operation) => o;
  const html = 'text/html';
  return [
    op({
      method: 'get',
      path: '/health',
      tag: 'ops',
      summary: 'Liveness',
      security: 'none',
      response: monitoringRes.health,
    }),
    op({
      method: 'get',
      path: '/ready',
      tag: 'ops',
      summary: 'Readiness of PostgreSQL, Redis and Temporal',
      security: 'none',
      response: monitoringRes.ready,
    }),
    op({
      method: 'get',
      path: '/metrics',
      tag: 'ops',
      summary: 'Prometheus exposition',
      security: 'metrics',
      produces: 'text/plain; version=0.0.4',
    }),
    op({
      method: 'get',
      path: '/openapi.json',
      tag: 'ops',
      summary: 'This document',
      security: 'none',
      produces: 'application/json',
    }),
    op({
      method: 'get',
      path: '/docs',
      tag: 'ops',
      summary: 'API reference (HTML, served locally)',
      security: 'none',
      produces: html,
    }),
    op({
      method: 'get',
      path: '/docs/app.js',
      tag: 'ops',
      summary: 'Script of the API reference page',
      security: 'none',
      produces: 'text/javascript',
    }),

    op({
      method: 'post',
      path: '/auth/register',
      tag: 'auth',
      summary: 'Register a user',
      security: 'none',
      body: auth.registerBody,
      status: 201,
      response: authRes.authResult,
    }),
    op({
      method: 'post',
      path: '/auth/login',
      tag: 'auth',
      summary: 'Sign in',
      security: 'none',
      body: auth.loginBody,
      response: authRes.authResult,
    }),
    op({
      method: 'get',
      path: '/auth/me',
      tag: 'auth',
      summary: 'The signed-in user',
      security: 'bearer',
      response: authRes.meResult,
    }),

    op({
      method: 'get',
      path: '/wallet',
      tag: 'wallet',
      summary: 'Balance (minor units)',
      security: 'bearer',
      response: walletRes.wallet,
    }),
    op({
      method: 'post',
      path: '/wallet/deposit',
      tag: 'wallet',
      summary: 'Deposit (Idempotency-Key header)',
      security: 'bearer',
      body: wallet.amountBody,
      status: 201,
      response: walletRes.moneyMovement,
    }),
    op({
      method: 'post',
      path: '/wallet/withdraw',
      tag: 'wallet',
      summary: 'Withdraw (Idempotency-Key header)',
      security: 'bearer',
      body: wallet.amountBody,
      status: 201,
      response: walletRes.moneyMovement,
    }),

    op({
      method: 'post',
      path: '/binary/open',
      tag: 'binary',
      summary: 'Open a binary option',
      security: 'bearer',
      body: binary.openBody,
      status: 201,
      response: binaryRes.openedTrade,
    }),
    op({
      method: 'get',
      path: '/binary',
      tag: 'binary',
      summary: "The caller's trades",
      security: 'bearer',
      query: binary.listQuery,
      response: binaryRes.binaryTradePage,
    }),
    op({
      method: 'get',
      path: '/binary/:id',
      tag: 'binary',
      summary: 'One trade',
      security: 'bearer',
      response: binaryRes.binaryTrade,
    }),
    op({
      method: 'post',
      path: '/binary/admin/:id/retry-settlement',
      tag: 'binary',
      summary: 'Retry a SETTLEMENT_FAILED settlement (admin)',
      security: 'bearer',
      status: 202,
      response: binaryRes.settlementRetry,
    }),
    op({
      method: 'post',
      path: '/trades',
      tag: 'trades',
      summary: 'Record an executed spot trade',
      security: 'bearer',
      body: tradeBody(config.SYMBOLS),
      status: 201,
      response: spotTrade,
    }),

    op({
      method: 'post',
      path: '/kyc/start',
      tag: 'kyc',
      summary: 'Start identity verification',
      security: 'bearer',
      body: kycStart,
      status: 202,
      response: kycRes.kycStarted,
    }),
    op({
      method: 'get',
      path: '/kyc/status',
      tag: 'kyc',
      summary: "The caller's KYC status",
      security: 'bearer',
      response: kycRes.kycStatus,
    }),
    op({
      method: 'post',
      path: '/kyc/webhook/:provider',
      tag: 'kyc',
      summary: "A provider's signed result",
      security: 'none',
      response: kycRes.webhookReceived,
    }),
    op({
      method: 'get',
      path: '/kyc/admin/pending',
      tag: 'kyc',
      summary: 'Cases waiting for review (admin)',
      security: 'bearer',
      query: kyc.page,
      response: kycRes.pendingCases,
    }),
    op({
      method: 'put',
      path: '/kyc/admin/:userId/approve',
      tag: 'kyc',
      summary: 'Approve (admin)',
      security: 'bearer',
      body: kyc.approveBody,
      response: kycRes.kycDecided,
    }),
    op({
      method: 'put',
      path: '/kyc/admin/:userId/reject',
      tag: 'kyc',
      summary: 'Reject (admin)',
      security: 'bearer',
      body: kyc.rejectBody,
      response: kycRes.kycDecided,
    }),

    op({
      method: 'get',
      path: '/aml/admin/checks',
      tag: 'aml',
      summary: 'AML findings (admin)',
      security: 'bearer',
      query: aml.listQuery,
      response: amlRes.amlCheckPage,
    }),
    op({
      method: 'get',
      path: '/aml/admin/users/:userId/checks',
      tag: 'aml',
      summary: "A user's AML history (admin)",
      security: 'bearer',
      query: aml.historyQuery,
      response: amlRes.amlCheckHistory,
    }),
    op({
      method: 'post',
      path: '/aml/admin/users/:userId/run',
      tag: 'aml',
      summary: 'Run the AML rules now (admin)',
      security: 'bearer',
      response: amlRes.amlRun,
    }),
    op({
      method: 'put',
      path: '/aml/admin/checks/:checkId/resolve',
      tag: 'aml',
      summary: 'Resolve a finding (admin)',
      security: 'bearer',
      body: aml.resolveBody,
      response: amlRes.amlCheck,
    }),
    op({
      method: 'get',
      path: '/aml/admin/cases',
      tag: 'aml',
      summary: 'AML cases, filtered and paged, with a total (admin)',
      security: 'bearer',
      query: aml.caseListQuery,
      response: amlRes.amlCasePage,
    }),
    op({
      method: 'get',
      path: '/aml/admin/cases/:id',
      tag: 'aml',
      summary: "One case: findings by rule, decisions, the case's timeline, the user's snoozes (admin)",
      security: 'bearer',
      response: amlRes.amlCaseWithSnoozes,
    }),
    op({
      method: 'put',
      path: '/aml/admin/cases/:id/assignee',
      tag: 'aml',
      summary: 'Assign a case (admin, audited)',
      security: 'bearer',
      body: aml.assigneeBody,
      response: amlRes.amlCase,
    }),
    op({
      method: 'post',
      path: '/aml/admin/cases/:id/notes',
      tag: 'aml',
      summary: 'Add a note to a case (admin, audited)',
      security: 'bearer',
      body: aml.noteBody,
      status: 201,
      response: amlRes.amlCase,
    }),
    op({
      method: 'post',
      path: '/aml/admin/cases/:id/decision',
      tag: 'aml',
      summary: 'Decide a case without a freeze: CLEARED or ESCALATED (admin)',
      security: 'bearer',
      body: aml.caseDecisionBody,
      response: amlRes.amlCase,
    }),
    op({
      method: 'get',
      path: '/aml/admin/users/:userId/snoozes',
      tag: 'aml',
      summary: "A user's rule snoozes (admin)",
      security: 'bearer',
      response: amlRes.snoozes,
    }),
    op({
      method: 'post',
      path: '/aml/admin/users/:userId/snoozes',
      tag: 'aml',
      summary: 'Snooze a rule for a user until a time (admin, audited)',
      security: 'bearer',
      body: aml.snoozeBody,
      status: 201,
      response: amlRes.snooze,
    }),
    op({
      method: 'get',
      path: '/admin/users/:id/timeline',
      tag: 'aml',
      summary: "A user's compliance timeline: KYC, findings, case events, freezes, decisions (admin)",
      security: 'bearer',
      response: amlRes.complianceTimeline,
    }),
    op({
      method: 'put',
      path: '/aml/admin/users/:userId/decision',
      tag: 'aml',
      summary: 'Decide a freeze case (admin)',
      security: 'bearer',
      body: aml.decisionBody,
      response: amlRes.freezeCaseState,
    }),

    op({
      method: 'get',
      path: '/arbitrage/opportunities',
      tag: 'arbitrage',
      summary: 'Current opportunities',
      security: 'bearer',
      query: arbitrage.listQuery,
      response: arbitrageRes.opportunities,
    }),
    op({
      method: 'post',
      path: '/arbitrage/scan',
      tag: 'arbitrage',
      summary: 'Queue a scan (admin)',
      security: 'bearer',
      body: arbitrage.scanBody,
      status: 202,
      response: arbitrageRes.scanQueued,
    }),

    op({
      method: 'get',
      path: '/events',
      tag: 'realtime',
      summary: 'Catch up on live events after a sequence number',
      security: 'bearer',
      query: eventsQuery,
      response: eventsPage,
    }),

    op({
      method: 'post',
      path: '/admin/webhooks/endpoints',
      tag: 'webhooks',
      summary: 'Register an endpoint (admin)',
      security: 'bearer',
      body: webhooks.registerBody,
      status: 201,
      response: webhooksRes.endpointWithSecret,
    }),
    op({
      method: 'get',
      path: '/admin/webhooks/endpoints',
      tag: 'webhooks',
      summary: 'Endpoints (admin)',
      security: 'bearer',
      response: webhooksRes.endpoints,
    }),
    op({
      method: 'get',
      path: '/admin/webhooks/endpoints/:id',
      tag: 'webhooks',
      summary: 'One endpoint (admin)',
      security: 'bearer',
      response: webhooksRes.endpoint,
    }),
    op({
      method: 'post',
      path: '/admin/webhooks/endpoints/:id/rotate-secret',
      tag: 'webhooks',
      summary: 'Rotate its secret (admin)',
      security: 'bearer',
      body: webhooks.rotateBody,
      response: webhooksRes.endpointWithSecret,
    }),
    op({
      method: 'post',
      path: '/admin/webhooks/endpoints/:id/disable',
      tag: 'webhooks',
      summary: 'Disable (admin)',
      security: 'bearer',
      response: webhooksRes.endpoint,
    }),
    op({
      method: 'post',
      path: '/admin/webhooks/endpoints/:id/enable',
      tag: 'webhooks',
      summary: 'Enable (admin)',
      security: 'bearer',
      response: webhooksRes.endpoint,
    }),
    op({
      method: 'get',
      path: '/admin/webhooks/deliveries',
      tag: 'webhooks',
      summary: 'Deliveries (admin)',
      security: 'bearer',
      query: webhooks.deliveriesQuery,
      response: webhooksRes.deliveryPage,
    }),
    op({
      method: 'get',
      path: '/admin/webhooks/deliveries/:id',
      tag: 'webhooks',
      summary: 'One delivery (admin)',
      security: 'bearer',
      response: webhooksRes.deliveryWithAttempts,
    }),
    op({
      method: 'post',
      path: '/admin/webhooks/deliveries/:id/redeliver',
      tag: 'webhooks',
      summary: 'Deliver again (admin)',
      status: 202,
      security: 'bearer',
      response: webhooksRes.delivery,
    }),

    op({
      method: 'get',
      path: '/admin/queues/metrics',
      tag: 'queues',
      summary: 'Queue and workflow counts (staff)',
      security: 'bearer',
      response: monitoringRes.queueMetrics,
    }),
    op({
      method: 'get',
      path: '/admin/queues/login',
      tag: 'queues',
      summary: 'Dashboard sign-in page',
      security: 'none',
      produces: html,
    }),
    op({
      method: 'post',
      path: '/admin/queues/login',
      tag: 'queues',
      summary: 'Dashboard session cookie',
      security: 'none',
      body: boardLoginBody,
      status: 204,
    }),
    op({
      method: 'post',
      path: '/admin/queues/logout',
      tag: 'queues',
      summary: 'End the dashboard session',
      security: 'none',
      status: 204,
    }),
    op({
      method: 'get',
      path: '/admin/queues',
      tag: 'queues',
      summary: 'Queue dashboard (bull-board; every method under it)',
      security: 'cookie',
      produces: html,
    }),
    op({
      method: 'get',
      path: '/admin/queues/{*rest}',
      tag: 'queues',
      summary: "bull-board's pages, assets and JSON API (every method; bull-board's own shapes)",
      security: 'cookie',
      produces: [html, 'application/json'],
    }),

    ...consoleOperations(),
  ];
}

/** The operator console: HTML pages and form posts under /console (session cookie). */
function consoleOperations(): Operation[] {
  const page = (path: string, summary: string, security: Operation['security'] = 'cookie'): Operation => ({
    method: 'get',
    path: `/console${path}`,
    tag: 'console',
    summary,
    security,
    produces: 'text/html',
  });
  const form = (path: string, summary: string, security: Operation['security'] = 'cookie'): Operation => ({
    method: 'post',
    path: `/console${path}`,
    tag: 'console',
    summary,
    security,
    status: 303,
    produces: 'text/html',
  });
  return [
    page('/assets/:file', 'Console assets', 'none'),
    page('/login', 'Sign-in page', 'none'),
    form('/login', 'Sign in (form)', 'none'),
    form('/logout', 'Sign out'),
    page('', 'Console home (redirects)'),
    { ...page('/socket-token', 'A short token for the console socket'), produces: undefined, response: socketToken },
    page('/kyc', 'KYC queue'),
    page('/kyc/:userId', 'KYC case'),
    form('/kyc/:userId/approve', 'Approve'),
    form('/kyc/:userId/reject', 'Reject'),
    page('/aml', 'AML cases'),
    page('/aml/:userId', "A user's AML case (redirects to the open case, else the latest)"),
    page('/aml/cases/:caseId', 'AML case'),
    form('/aml/cases/:caseId/decision', 'Decide'),
    form('/aml/cases/:caseId/assign', 'Assign the case'),
    form('/aml/cases/:caseId/notes', 'Add a note to the case'),
    form('/aml/cases/:caseId/findings/:checkId/resolve', 'Resolve a finding'),
    page('/settlements', 'Failed settlements'),
    page('/settlements/:id', 'One settlement'),
    form('/settlements/:id/retry', 'Retry'),
    page('/users', 'User lookup'),
    page('/users/:id', 'One user'),
    page('/{*rest}', 'Anything else under /console: 404 page'),
  ];
}

/** `/binary/:id` -> `/binary/{id}`; `/{*rest}` -> `/{rest}` (a path parameter spanning segments). */
export const openApiPath = (template: string) => template.replace(/\{\*(\w+)\}/g, '{$1}').replace(/:(\w+)/g, '{$1}');

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

const SECURITY: Record<Operation['security'], Record<string, string[]>[]> = {
  bearer: [{ bearer: [] }],
  cookie: [{ session: [] }, { bearer: [] }],
  metrics: [{ metricsToken: [] }],
  none: [],
};

/** The OpenAPI 3.1 document, from the same zod schemas the routes validate with (zod's own JSON Schema). */
export function openApiDocument(config: Config): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of operations(config)) {
    const path = openApiPath(o.path);
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const queryProps = o.query ? (jsonSchema(o.query, 'input').properties as Record<string, unknown>) : {};
    const parameters = [
      ...names.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: /id$/i.test(name) && name !== 'provider' ? { type: 'string', format: 'uuid' } : { type: 'string' },
      })),
      ...Object.entries(queryProps).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    const status = String(o.status ?? 200);
    const ok =
      o.status === 204
        ? { description: 'No content' }
        : o.produces
          ? {
              description: 'OK',
              content: Object.fromEntries(
                [o.produces]
                  .flat()
                  .map((type) => [type, { schema: type.startsWith('application/json') ? {} : { type: 'string' } }]),
              ),
            }
          : {
              description: 'OK',
              content: { 'application/json': { schema: o.response ? jsonSchema(o.response, 'output') : {} } },
            };
    paths[path] ??= {};
    paths[path]![o.method] = {
      operationId: `${o.method}${o.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [o.tag],
      summary: o.summary,
      security: SECURITY[o.security],
      ...(parameters.length ? { parameters } : {}),
      ...(o.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(o.body, 'input') } } } }
        : {}),
      responses: {
        [status]: ok,
        '4XX': { $ref: '#/components/responses/Error' },
        '5XX': { $ref: '#/components/responses/Error' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Compliance backend API',
      version: '0.1.0',
      description:
        'Amounts are integer minor units (cents). Errors share one JSON shape. Live events: Socket.IO, catch-up at GET /events.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: { type: 'apiKey', in: 'cookie', name: 'console_session' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
      },
      responses: {
        Error: {
          description: 'An error, in the one JSON shape',
          content: { 'application/json': { schema: jsonSchema(errorResponse, 'output') } },
        },
      },
    },
  };
}
