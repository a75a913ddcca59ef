import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/kernel/db/entities/user';
import type { AppContext } from '../../src/main/context';
import { createUser } from '../../src/features/auth/users';
import { loadConfig } from '../../src/kernel/config';
import { openApiDocument } from '../../src/features/openapi/document';
import { responseChecker } from './openapi';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

let documentChecker: ReturnType<typeof responseChecker> | undefined;

/**
 * The checker of /openapi.json, built once per test file. Response schemas do not depend on the
 * deployment (only request enums such as the symbols do), so a default configuration builds it.
 */
function checkAgainstDocument(): ReturnType<typeof responseChecker> {
  documentChecker ??= responseChecker(openApiDocument(loadConfig({ NODE_ENV: 'test' })) as never);
  return documentChecker;
}

/** A response the document does not describe: it fails the test that received it. */
export class UndocumentedResponse extends Error {}

/**
 * A tiny JSON client over global fetch, the way an API client would call us. Every response is
 * checked against the OpenAPI document (status and JSON body); one that does not conform throws
 * UndocumentedResponse. `unchecked` lists paths a test mounts itself (not part of the API).
 */
export function httpClient(baseUrl: string, options: { unchecked?: string[] } = {}) {
  const conform = (method: string, path: string, result: HttpResult) => {
    if (options.unchecked?.includes(path.split('?')[0]!)) return;
    const problems = checkAgainstDocument()(method, path, result);
    if (problems.length)
      throw new UndocumentedResponse(
        `response does not match /openapi.json:\n  ${problems.join('\n  ')}\nbody: ${JSON.stringify(result.body)?.slice(0, 2000)}`,
      );
  };
  const call = async <T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. Prometheus text)
    }
    const result = { status: res.status, body: parsed as T, headers: res.headers };
    conform(method, path, result);
    return result;
  };
  return {
    get: <T = any>(path: string, token?: string, headers?: Record<string, string>) =>
      call<T>('GET', path, { token, headers }),
    post: <T = any>(path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      call<T>('POST', path, { body, token, headers }),
    put: <T = any>(path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      call<T>('PUT', path, { body, token, headers }),
    call,
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID()}@example.test`;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** Registers a user through the API, as a client would. */
export async function registerUser(
  http: HttpClient,
  fields: Partial<{ email: string; password: string; fullName: string; country: string; dateOfBirth: string }> = {},
): Promise<TestUser> {
  const body = {
    email: fields.email ?? uniqueEmail(),
    password: fields.password ?? 'correct horse battery',
    fullName: fields.fullName ?? 'Test User',
    country: fields.country ?? 'DE',
    ...(fields.dateOfBirth ? { dateOfBirth: fields.dateOfBirth } : {}),
  };
  const res = await http.post('/auth/register', body);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, email: body.email, password: body.password, token: res.body.token };
}

/** Creates an ADMIN/MASTER directly (as `npm run admin:create` does) and issues its token. */
export async function createStaff(ctx: AppContext, role: Role = 'ADMIN'): Promise<TestUser> {
  const email = uniqueEmail(role.toLowerCase());
  const password = 'staff password 123';
  const user = await createUser(
    ctx.orm.em.fork(),
    { email, password, fullName: `Staff ${role}`, country: 'GB', role },
    {
      type: 'SYSTEM',
      id: 'test',
    },
  );
  return { id: user.id, email, password, token: await ctx.tokens.issue({ userId: user.id, role }) };
}
