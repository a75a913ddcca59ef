import type { Context, Next } from 'koa';

/**
 * The dashboard's own pages use inline scripts and styles; nothing may be loaded from elsewhere,
 * framed, or posted elsewhere.
 */
export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers on every answer, errors included (set before the handlers run). Responses are not
 * cacheable unless a handler says otherwise: several carry tokens or personal data.
 */
export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    try {
      await next();
    } finally {
      if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
      // A page may set its own, stricter or loosened on one point (the queue dashboard's <base>).
      // The header's media type read directly: ctx.response.is('html') parses it through type-is
      // and mime-types on every answer (about 1.5% of the API's CPU under GET /wallet load).
      const type = String(ctx.response.get('Content-Type') ?? '');
      if (/^text\/html\s*(;|$)/i.test(type) && !ctx.response.get('Content-Security-Policy')) {
        ctx.set('Content-Security-Policy', HTML_CSP);
      }
    }
  };
}
