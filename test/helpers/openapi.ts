import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { HttpResult } from './http';

type Doc = { paths: Record<string, Record<string, any>>; components: Record<string, any> };

/**
 * Checks responses against /openapi.json the way a generated client would rely on it: the
 * operation is found by method and path (templates like `/binary/{id}`), the status must be one it
 * documents (or the 4XX/5XX ranges), and a JSON body must match that response's schema (a JSON
 * body where the document names only another media type is a mismatch too). A path or method the
 * document does not have may only be answered 404 or 405 in the error shape.
 * Formats (uuid, email) are not checked: ajv without ajv-formats.
 */
export function responseChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const templates = Object.keys(doc.paths).map((p) => ({
    template: p,
    // Koa's router is not strict: `/admin/queues/` is `/admin/queues`.
    re: new RegExp(`^${p.replace(/\{rest\}/g, '.+').replace(/\{\w+\}/g, '[^/]+')}/?$`),
  }));
  const find = (method: string, path: string) => {
    const clean = path.split('?')[0]!;
    // The most specific template: fewest parameters.
    const matches = templates
      .filter((t) => t.re.test(clean) && doc.paths[t.template]![method.toLowerCase()])
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    return matches[0] && { template: matches[0].template, op: doc.paths[matches[0].template]![method.toLowerCase()] };
  };
  // Compiled once per operation and status (compiling is the slow part of ajv).
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: unknown) => {
    let v = validators.get(key);
    if (!v) validators.set(key, (v = ajv.compile({ $defs: { s: schema }, $ref: '#/$defs/s' })));
    return v;
  };

  /** Problems with one response ([] when it conforms). */
  return (method: string, path: string, res: HttpResult): string[] => {
    const found = find(method, path);
    if (!found) {
      // "No such route" (404) or "not this method" (405) in the error shape agrees with the document.
      if (res.status !== 404 && res.status !== 405) return [`${method} ${path} is not in the document`];
      const error = validatorFor('error', doc.components.responses.Error.content['application/json'].schema);
      return error(res.body)
        ? []
        : (error.errors ?? []).map(
            (e) => `${method} ${path} ${res.status}: ${e.instancePath || '(body)'} ${e.message}`,
          );
    }
    const where = `${method.toUpperCase()} ${found.template} ${res.status}`;
    const responses = found.op.responses as Record<string, any>;
    const documented = responses[String(res.status)] ? String(res.status) : `${String(res.status)[0]}XX`;
    let spec = responses[documented];
    if (!spec) return [`${method.toUpperCase()} ${found.template}: status ${res.status} is not documented`];
    if (spec.$ref) spec = doc.components.responses[spec.$ref.split('/').pop()];
    if ((res.headers.get('content-type') ?? '').indexOf('json') < 0) return [];
    const schema = spec.content?.['application/json']?.schema;
    if (!schema)
      return [`${where}: answers JSON, the document says ${Object.keys(spec.content ?? {}).join(', ') || 'no body'}`];
    const validate = validatorFor(`${method} ${found.template} ${documented}`, schema);
    return validate(res.body)
      ? []
      : (validate.errors ?? []).map(
          (e) => `${where}: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`,
        );
  };
}
