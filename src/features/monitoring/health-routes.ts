import Router from '@koa/router';
import type { z } from 'zod';
import { withTimeout } from '../../kernel/timeout';
import type { health, ready } from './responses';

/** A dependency the API needs; `check` throws (or rejects) when it is down. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

const TIMEOUT_MS = 2000;

/** /health: the process answers. /ready: every dependency answers; 503 names the ones down. */
export function createHealthRouter(checks: ReadinessCheck[]) {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' } satisfies z.output<typeof health>;
  });
  router.get('/ready', async (ctx) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), TIMEOUT_MS);
          return { name, ok: true as const };
        } catch (err) {
          return { name, ok: false as const, error: (err as Error).message };
        }
      }),
    );
    const down = results.filter((r) => !r.ok);
    const checksBody = Object.fromEntries(results.map((r) => [r.name, r.ok ? 'up' : 'down']));
    if (down.length === 0) {
      ctx.body = { status: 'ready', checks: checksBody as Record<string, 'up'> } satisfies z.output<typeof ready>;
    } else {
      ctx.status = 503;
      ctx.body = {
        error: {
          code: 'DEPENDENCY_UNAVAILABLE',
          message: `not ready: ${down.map((d) => d.name).join(', ')} down`,
          details: { checks: checksBody },
        },
      };
    }
  });
  return router;
}
