/**
 * Sanctions name screening, pure. Names are normalised (accents stripped, case folded, punctuation
 * removed) and compared as token sets, so word order does not matter; each token is compared by
 * edit distance, so a small typo still matches.
 */
export interface SanctionsEntry {
  id: string;
  schema: string;
  name: string;
  aliases: string[];
  birthDate: string | null;
  countries: string[];
  sanctions: string;
  dataset: string;
}

export interface ScreeningSubject {
  name: string;
  birthDate?: string | null;
  country?: string | null;
}

export interface SanctionsMatch {
  entry: SanctionsEntry;
  matchedName: string;
  score: number;
  strength: 'STRONG' | 'WEAK';
  birthDateMatches: boolean | null;
}

export const STRONG_MATCH = 0.9;
export const WEAK_MATCH = 0.8;

export function normaliseName(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

const tokenSimilarity = (a: string, b: string) => 1 - levenshtein(a, b) / Math.max(a.length, b.length);

/**
 * Similarity of two names in [0, 1]: each token of the shorter name is paired with its most
 * similar unused token of the longer one; the pair scores are averaged weighted by length, then
 * scaled by sqrt(shorter / longer token count) so a partial name scores lower than a full one.
 */
export function nameSimilarity(a: string, b: string): number {
  let x = normaliseName(a);
  let y = normaliseName(b);
  if (x.length === 0 || y.length === 0) return 0;
  if (x.length > y.length) [x, y] = [y, x];
  const unused = [...y];
  let weighted = 0;
  let weight = 0;
  for (const token of [...x].sort((p, q) => q.length - p.length)) {
    let best = 0;
    let bestAt = -1;
    unused.forEach((candidate, i) => {
      const s = tokenSimilarity(token, candidate);
      if (s > best) [best, bestAt] = [s, i];
    });
    if (bestAt >= 0) unused.splice(bestAt, 1);
    weighted += best * token.length;
    weight += token.length;
  }
  return (weighted / weight) * Math.sqrt(x.length / y.length);
}

/** The best match above WEAK_MATCH, or null. A strong name match with another birth date is weak. */
export function screen(subject: ScreeningSubject, list: SanctionsEntry[]): SanctionsMatch | null {
  let best: SanctionsMatch | null = null;
  for (const entry of list) {
    if (entry.schema !== 'Person' && entry.schema !== 'LegalEntity' && entry.schema !== 'Company') continue;
    for (const candidate of [entry.name, ...entry.aliases]) {
      const score = nameSimilarity(subject.name, candidate);
      if (score < WEAK_MATCH || (best && score <= best.score)) continue;
      const birthDateMatches =
        subject.birthDate && entry.birthDate
          ? entry.birthDate.startsWith(subject.birthDate.slice(0, 10)) || subject.birthDate.startsWith(entry.birthDate)
          : null;
      const strength = score >= STRONG_MATCH && birthDateMatches !== false ? 'STRONG' : 'WEAK';
      best = { entry, matchedName: candidate, score: Math.round(score * 1000) / 1000, strength, birthDateMatches };
    }
  }
  return best;
}

/** Parses the OpenSanctions `targets.simple.csv` layout (RFC 4180 quoting). */
export function parseSanctionsCsv(text: string): SanctionsEntry[] {
  const rows = parseCsv(text);
  const header = rows.shift() ?? [];
  const col = (name: string) => header.indexOf(name);
  const [id, schema, name, aliases, birth, countries, sanctions, dataset] = [
    'id',
    'schema',
    'name',
    'aliases',
    'birth_date',
    'countries',
    'sanctions',
    'dataset',
  ].map(col);
  if (id! < 0 || name! < 0) throw new Error('sanctions list needs at least the columns id and name');
  const split = (v: string | undefined) =>
    v
      ? v
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  return rows
    .filter((r) => r[id!])
    .map((r) => ({
      id: r[id!]!,
      schema: (schema! >= 0 && r[schema!]) || 'Person',
      name: r[name!] ?? '',
      aliases: split(aliases! >= 0 ? r[aliases!] : undefined),
      birthDate: (birth! >= 0 && split(r[birth!])[0]) || null,
      countries: split(countries! >= 0 ? r[countries!] : undefined).map((c) => c.toUpperCase()),
      sanctions: (sanctions! >= 0 && r[sanctions!]) || '',
      dataset: (dataset! >= 0 && r[dataset!]) || '',
    }));
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}
