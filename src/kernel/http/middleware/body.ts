import '../koa-types';
import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { AppError } from '../../errors';

/**
 * Reads the body once, with a size limit, keeping the raw bytes (webhook signatures are computed
 * over them) and the parsed JSON. Only JSON bodies are accepted, except HTML form posts
 * (application/x-www-form-urlencoded) under `formPaths` (the operator console's pages).
 */
export function jsonBody(limit: string, formPaths: readonly string[] = []) {
  return async (ctx: Context, next: Next) => {
    if (
      ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(ctx.method) ||
      (!ctx.request.length && !ctx.get('transfer-encoding'))
    ) {
      ctx.request.body = {};
      ctx.state.rawBody = Buffer.alloc(0);
      return next();
    }
    const form = formPaths.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`));
    if (form && ctx.is('application/x-www-form-urlencoded')) return formBody(ctx, next, limit);
    if (!ctx.is('application/json', 'application/*+json')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
    }
    const raw = await readRawBody(ctx, limit);
    let nul = false;
    try {
      // PostgreSQL text cannot hold U+0000: refuse it here rather than fail deep inside a query.
      const reviver = (key: string, value: unknown) => {
        if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) nul = true;
        return value;
      };
      ctx.request.body = raw.length ? JSON.parse(raw.toString('utf8'), reviver) : {};
    } catch {
      throw new AppError('VALIDATION_FAILED', 'request body is not valid JSON');
    }
    if (nul) throw new AppError('VALIDATION_FAILED', 'request body must not contain the NUL character (\\u0000)');
    return next();
  };
}

/** The raw body (kept on ctx.state.rawBody for signature checks), 413 past `limit`. */
async function readRawBody(ctx: Context, limit: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit, length: ctx.request.length });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new AppError('PAYLOAD_TOO_LARGE', `request body exceeds ${limit}`);
    }
    throw new AppError('VALIDATION_FAILED', 'could not read request body');
  }
  ctx.state.rawBody = raw;
  return raw;
}

/** A form post: flat string fields (the last of a repeated name wins). */
async function formBody(ctx: Context, next: Next, limit: string) {
  const raw = await readRawBody(ctx, limit);
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
    if (k.includes('\u0000') || v.includes('\u0000')) {
      throw new AppError('VALIDATION_FAILED', 'form fields must not contain the NUL character');
    }
    fields[k] = v;
  }
  ctx.request.body = fields;
  return next();
}
