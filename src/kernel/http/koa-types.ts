// The JSON body parsed by middleware/body.ts (imported wherever ctx.request.body is read).
declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
export {};
