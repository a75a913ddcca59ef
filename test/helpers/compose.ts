import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parseDocument } from 'yaml';

export const root = join(__dirname, '..', '..');

/**
 * The Compose Specification's JSON schema, kept in test/fixtures/compose-spec/ (SOURCE.md names
 * its origin). It declares `"$schema": "https://json-schema.org/draft-07/schema"`, so ajv's
 * draft-07 meta-schema is registered under that id too and the schema itself is checked against it.
 */
export function composeSpecValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8'));
  // strictTypes off: the upstream schema puts object keywords beside oneOf branches without a type.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  return ajv.compile(schema);
}

/** A variable reference in the file and what Compose does with it when the variable is unset. */
export interface Reference {
  text: string;
  name: string;
  /** `${X:?}` / `${X?}`: every compose command fails while X is unset. */
  required: boolean;
  /** Default used when unset; undefined = Compose warns and substitutes an empty string. */
  fallback?: string;
}

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every `$X` / `${X...}` in a string, `$$` (a literal dollar sign) excepted. */
export function references(text: string): Reference[] {
  const out: Reference[] = [];
  const unescaped = text.replace(/\$\$/g, '');
  for (const m of unescaped.matchAll(REFERENCE)) {
    const name = m[1] ?? m[4];
    const op = m[2];
    out.push({
      text: m[0],
      name,
      required: op === ':?' || op === '?',
      fallback: op === ':-' || op === '-' ? m[3] : undefined,
    });
  }
  return out;
}

/** Compose's interpolation with nothing set in the environment (defaults apply), `$$` -> `$`. */
export function interpolateUnset(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .split('$$')
      .map((part) =>
        part.replace(REFERENCE, (...m) => {
          const op = m[2] as string | undefined;
          return op === ':-' || op === '-' ? (m[3] as string) : '';
        }),
      )
      .join('$');
  }
  if (Array.isArray(value)) return value.map(interpolateUnset);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateUnset(v)]));
  }
  return value;
}

/** Every string anywhere in a parsed document. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

export interface ComposeFile {
  /** As parsed, YAML merge keys (`<<: *anchor`) applied, before interpolation. */
  raw: any;
  /** With the environment empty: what `docker compose config` would see on a clean shell. */
  resolved: any;
}

export function loadCompose(file = join(root, 'docker-compose.yml')): ComposeFile {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true, prettyErrors: true });
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  if (doc.warnings.length) throw new Error(doc.warnings.map((e) => e.message).join('\n'));
  const raw = doc.toJS({ maxAliasCount: 100 });
  return { raw, resolved: interpolateUnset(raw) };
}

/** A service's `environment`, list or map form, as a map. */
export function environmentOf(service: any): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, ''] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `KEY=value` lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const i = trimmed.indexOf('=');
    if (i > 0) out[trimmed.slice(0, i)] = trimmed.slice(i + 1);
  }
  return out;
}

export interface PublishedPort {
  service: string;
  hostIp: string | undefined;
  published: number | undefined;
  target: number;
}

/** Every published port, short (`[IP:]HOST:CONTAINER`) or long syntax, after interpolation. */
export function publishedPorts(resolved: any): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [service, def] of Object.entries<any>(resolved.services ?? {})) {
    for (const port of def.ports ?? []) {
      if (typeof port === 'object') {
        out.push({
          service,
          hostIp: port.host_ip,
          published: port.published === undefined ? undefined : Number(port.published),
          target: Number(port.target),
        });
        continue;
      }
      const parts = String(port)
        .replace(/\/(tcp|udp)$/, '')
        .split(':');
      const target = Number(parts.pop());
      const published = parts.length ? Number(parts.pop()) : undefined;
      const hostIp = parts.length ? parts.join(':').replace(/^\[|\]$/g, '') : undefined;
      out.push({ service, hostIp, published, target });
    }
  }
  return out;
}
