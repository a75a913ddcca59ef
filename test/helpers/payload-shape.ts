/**
 * Compares a payload we make up (the fake providers') with a provider's published example:
 * every field we send must exist in the example with the same JSON type, and a date-time string
 * must have the example's layout (digits masked: `2020-02-21 13:23:19.321` is `9999-99-99 99:99:99.999`).
 * Returns the differences, empty when the payload conforms.
 */
export function nonConformities(actual: unknown, published: unknown, path = '$'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(actual) !== kind(published)) return [`${path}: ${kind(actual)} where the example has ${kind(published)}`];
  if (Array.isArray(actual) && Array.isArray(published)) {
    if (published.length === 0) return [];
    return actual.flatMap((item, i) => nonConformities(item, published[0], `${path}[${i}]`));
  }
  if (kind(actual) === 'object') {
    const a = actual as Record<string, unknown>;
    const p = published as Record<string, unknown>;
    return Object.keys(a).flatMap((key) =>
      key in p ? nonConformities(a[key], p[key], `${path}.${key}`) : [`${path}.${key}: not in the example`],
    );
  }
  if (typeof actual === 'string' && typeof published === 'string' && DATE_LIKE.test(published)) {
    const mask = (s: string) => s.replace(/\d/g, '9');
    if (mask(actual) !== mask(published)) return [`${path}: "${actual}" is not laid out like "${published}"`];
  }
  return [];
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

/** The timestamp layout of a value, for messages and direct comparisons. */
export const layoutOf = (s: string) => s.replace(/\d/g, '9');
