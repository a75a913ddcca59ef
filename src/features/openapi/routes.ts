import Router from '@koa/router';

/**
 * GET /openapi.json and a reference page at /docs. The page and its script are served from here
 * and read only /openapi.json: it makes no request to another origin (the CSP says 'self').
 */
export function createOpenApiRouter(document: () => Record<string, unknown>) {
  const router = new Router();
  let cached: Record<string, unknown> | undefined;
  router.get('/openapi.json', (ctx) => {
    ctx.body = cached ??= document();
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = PAGE;
  });
  router.get('/docs/app.js', (ctx) => {
    ctx.type = 'text/javascript';
    ctx.body = SCRIPT;
  });
  return router;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#1b1f24}
h2{border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem;text-transform:capitalize}
details{border:1px solid #dde;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}
.m{display:inline-block;width:4.5em;font-weight:700;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c22}
code,pre{font:12px ui-monospace,monospace}pre{background:#f5f6f8;padding:.5rem;overflow:auto}
</style></head>
<body><h1 id="title">API reference</h1><p id="desc"></p><p><a href="/openapi.json">openapi.json</a></p>
<main id="ops">Loading…</main><script src="/docs/app.js"></script></body></html>`;

const SCRIPT = `(async () => {
  const doc = await (await fetch('/openapi.json')).json();
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    Object.assign(e, attrs || {});
    for (const k of kids) e.append(k);
    return e;
  };
  const json = (v) => el('pre', { textContent: JSON.stringify(v, null, 2) });
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags || ['other'])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const main = document.getElementById('ops');
  main.textContent = '';
  for (const [tag, ops] of byTag) {
    main.append(el('h2', { textContent: tag }));
    for (const { path, method, op } of ops) {
      const d = el('details', {}, el('summary', {}, el('span', { className: 'm ' + method, textContent: method }),
        el('code', { textContent: path }), ' — ' + (op.summary || '')));
      if (op.security && op.security.length) d.append(el('p', { textContent: 'Auth: ' + op.security.map((s) => Object.keys(s)[0]).join(' or ') }));
      if (op.parameters) d.append(el('h4', { textContent: 'Parameters' }), json(op.parameters));
      if (op.requestBody) d.append(el('h4', { textContent: 'Request body' }), json(op.requestBody.content));
      d.append(el('h4', { textContent: 'Responses' }), json(op.responses));
      main.append(d);
    }
  }
})();`;
