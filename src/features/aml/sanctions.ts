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
  /** Every birth date listed (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`); a match on any of them counts. */
  birthDates: string[];
  countries: string[];
  sanctions: string[];
  programIds: string[];
  datasets: string[];
}

export interface ScreeningSubject {
  name: string;
  /** Verified by the KYC provider. A self-declared date never counts: anyone can type another. */
  verifiedBirthDate?: string | null;
  country?: string | null;
}

export interface SanctionsMatch {
  entry: SanctionsEntry;
  matchedName: string;
  score: number;
  strength: 'STRONG' | 'WEAK';
  birthDateMatches: boolean | null;
  /** A strong name match weakened only by a different verified birth date: held until an admin clears it. */
  strongNameDifferentBirthDate: boolean;
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

/** A listed date matches a subject's date it is a prefix of (the list may give only a year or month). */
const sameBirthDate = (subject: string, listed: string) =>
  listed.startsWith(subject.slice(0, 10)) || subject.startsWith(listed);

/**
 * The best match above WEAK_MATCH, or null. A strong name match is weak only when the entry lists
 * birth dates and none is the subject's verified one; without a verified date it stays strong.
 */
export function screen(subject: ScreeningSubject, list: SanctionsEntry[]): SanctionsMatch | null {
  let best: SanctionsMatch | null = null;
  for (const entry of list) {
    if (entry.schema !== 'Person' && entry.schema !== 'LegalEntity' && entry.schema !== 'Company') continue;
    for (const candidate of [entry.name, ...entry.aliases]) {
      const score = nameSimilarity(subject.name, candidate);
      if (score < WEAK_MATCH || (best && score <= best.score)) continue;
      const verified = subject.verifiedBirthDate;
      const birthDateMatches =
        verified && entry.birthDates.length > 0
          ? entry.birthDates.some((listed) => sameBirthDate(verified, listed))
          : null;
      const strength = score >= STRONG_MATCH && birthDateMatches !== false ? 'STRONG' : 'WEAK';
      best = {
        entry,
        matchedName: candidate,
        score: Math.round(score * 1000) / 1000,
        strength,
        birthDateMatches,
        strongNameDifferentBirthDate: score >= STRONG_MATCH && birthDateMatches === false,
      };
    }
  }
  return best;
}

/**
 * Parses OpenSanctions' `targets.simple.csv` as its exporter writes it (zavod's SimpleCSVExporter):
 * the file is CSV (`,`, `"` doubled inside a quoted field, every field quoted); a multi-value cell
 * (aliases, birth_date, countries, sanctions, program_ids, dataset, ...) is itself one CSV row with
 * `;` as the delimiter, so a value containing `;` or `"` is quoted with its quotes doubled. Columns
 * are found by name; only id and name are required.
 */
export function parseSanctionsCsv(text: string): SanctionsEntry[] {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''), ',');
  const header = rows.shift() ?? [];
  const col = (name: string) => header.indexOf(name);
  const [id, schema, name, aliases, birth, countries, sanctions, programIds, dataset] = [
    'id',
    'schema',
    'name',
    'aliases',
    'birth_date',
    'countries',
    'sanctions',
    'program_ids',
    'dataset',
  ].map(col) as [number, number, number, number, number, number, number, number, number];
  if (id < 0 || name < 0) throw new Error('sanctions list needs at least the columns id and name');
  const cell = (r: string[], i: number) => (i >= 0 ? (r[i] ?? '') : '');
  const values = (r: string[], i: number) =>
    (parseCsv(cell(r, i), ';', false)[0] ?? []).map((v) => v.trim()).filter(Boolean);
  return rows
    .filter((r) => r[id])
    .map((r) => ({
      id: r[id]!,
      schema: cell(r, schema) || 'Person',
      name: cell(r, name),
      aliases: values(r, aliases),
      birthDates: values(r, birth),
      countries: values(r, countries).map((c) => c.toUpperCase()),
      sanctions: values(r, sanctions),
      programIds: values(r, programIds),
      datasets: values(r, dataset),
    }));
}

/**
 * CSV as Python's csv module reads it: a field is quoted only when it starts with `"`, where `""`
 * is one quote and the closing quote may be followed by more text up to the delimiter; elsewhere a
 * quote is an ordinary character. With `rows` false, line breaks are ordinary characters too (one
 * multi-value cell is one row however its values are laid out). Blank lines are skipped.
 */
function parseCsv(text: string, delimiter: string, rows = true): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') out.push(row);
    row = [];
    field = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
      atFieldStart = true;
    } else if (rows && (ch === '\n' || ch === '\r')) {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else {
      field += ch;
      atFieldStart = false;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  return out;
}
