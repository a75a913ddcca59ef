import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSanctions } from '../../src/features/aml/rules';
import { nameSimilarity, normaliseName, parseSanctionsCsv, screen } from '../../src/features/aml/sanctions';
import { loadSanctionsList } from '../../src/features/aml/checks';

const samplePath = join(__dirname, '..', '..', 'data', 'sanctions', 'sample.csv');
const list = loadSanctionsList(samplePath);
/** Written with the OpenSanctions exporter's writer settings (test/fixtures/opensanctions/). */
const exported = loadSanctionsList(join(__dirname, '..', 'fixtures', 'opensanctions', 'targets.simple.csv'));
const entry = (id: string) => exported.find((e) => e.id === id)!;

describe('sanctions screening', () => {
  it('loads the shipped list in the OpenSanctions targets.simple.csv shape', () => {
    expect(list.length).toBe(8);
    expect(list[0]).toMatchObject({
      id: 'test-sdn-0001',
      schema: 'Person',
      name: 'Ivan Petrovich Sidorov',
      aliases: ['Ivan Sidorov', 'Иван Петрович Сидоров'],
      birthDates: ['1961-04-12'],
      countries: ['RU'],
      programIds: ['TEST-AF'],
    });
  });

  it("ships the sample with the exporter's current header, program_ids included", () => {
    const header = readFileSync(samplePath, 'utf8').split('\n')[0];
    expect(header).toBe(
      '"id","schema","name","aliases","birth_date","countries","addresses","identifiers","sanctions",' +
        '"phones","emails","program_ids","dataset","first_seen","last_seen","last_change"',
    );
    expect(list.find((e) => e.id === 'test-sdn-0006')?.birthDates).toEqual(['1966-03-15', '1967-03-15']);
  });

  it.each([
    ['exact', 'Ivan Petrovich Sidorov'],
    ['reordered', 'Sidorov Ivan Petrovich'],
    ['accented', 'Ívan Petróvich Sídorov'],
    ['one typo', 'Ivan Petrovich Sidorv'],
    ['case and punctuation', 'SIDOROV, ivan-petrovich'],
  ])('%s name is a strong match', (_kind, name) => {
    const match = screen({ name }, list);
    expect(match?.entry.id).toBe('test-sdn-0001');
    expect(match?.strength).toBe('STRONG');
    expect(checkSanctions(match)).toMatchObject({
      result: 'FAIL',
      severity: 'CRITICAL',
      metadata: { matchedEntry: { id: 'test-sdn-0001' } },
    });
  });

  it('matches accents on the list side too (José María Gutiérrez Lozano)', () => {
    expect(screen({ name: 'Jose Maria Gutierrez Lozano' }, list)?.strength).toBe('STRONG');
  });

  it.each(['John Smith', 'Maria Garcia', 'Ivan Petrov', 'Olga Ivanova'])(
    'an unrelated common name (%s) does not match',
    (name) => {
      expect(screen({ name }, list)).toBeNull();
      expect(checkSanctions(null).result).toBe('PASS');
    },
  );

  it('without a verified birth date a strong name match stays strong (FAIL CRITICAL)', () => {
    const match = screen({ name: 'Ivan Petrovich Sidorov' }, list);
    expect(match).toMatchObject({ strength: 'STRONG', birthDateMatches: null });
    expect(checkSanctions(match)).toMatchObject({ result: 'FAIL', severity: 'CRITICAL' });
  });

  it('a strong name match with a different verified birth date is REVIEW HIGH holding withdrawals', () => {
    const match = screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate: '1990-01-01' }, list);
    expect(match).toMatchObject({ strength: 'WEAK', birthDateMatches: false });
    expect(checkSanctions(match)).toMatchObject({
      result: 'REVIEW',
      severity: 'HIGH',
      metadata: { holdWithdrawals: true },
    });
    expect(screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate: '1961-04-12' }, list)).toMatchObject({
      strength: 'STRONG',
      birthDateMatches: true,
    });
  });

  it('scores a partial name lower than a full one', () => {
    expect(nameSimilarity('Ivan Sidorov', 'Ivan Petrovich Sidorov')).toBeLessThan(0.9);
    expect(nameSimilarity('Ivan Petrovich Sidorov', 'Sidorov Ivan Petrovich')).toBe(1);
    expect(normaliseName('  Björn  Åkesson-Lindqvist ')).toEqual(['bjorn', 'akesson', 'lindqvist']);
  });

  it('parses quoted fields with commas and doubled quotes', () => {
    const parsed = parseSanctionsCsv('id,name,aliases,sanctions\nx1,"Doe, John","J. ""Jack"" Doe;JD","a, b"\n');
    expect(parsed[0]).toMatchObject({
      id: 'x1',
      name: 'Doe, John',
      aliases: ['J. "Jack" Doe', 'JD'],
      sanctions: ['a, b'],
    });
  });
});

describe('OpenSanctions targets.simple.csv as the exporter writes it', () => {
  it('reads multi-value cells as ;-delimited CSV: a quoted value keeps its ; and loses its quoting', () => {
    expect(entry('fx-0001')).toMatchObject({
      name: 'Ivan Petrovich Sidorov',
      aliases: ['Ivan "The Hammer" Sidorov', 'Sidorov; Ivan', 'Иван Петрович Сидоров'],
      birthDates: ['1961-04-12', '1962-04-12'],
      countries: ['BY', 'RU'],
      sanctions: ['Test list - asset freeze - "Annex I"', 'Test list - travel ban'],
      programIds: ['TEST-ANNEX-I', 'TEST-TB'],
      datasets: ['Test list'],
    });
    expect(entry('fx-0003')).toMatchObject({
      schema: 'Company',
      name: 'Northern Star Shipping, Trading LLC',
      aliases: ['Northern Star Shipping'],
      birthDates: [],
      datasets: ['Other test list; annex', 'Test list'],
    });
  });

  it('a reviewer sees the alias as listed, not split and not quoted', () => {
    expect(screen({ name: 'Sidorov Ivan' }, exported)?.matchedName).toBe('Sidorov; Ivan');
    expect(screen({ name: 'Ivan The Hammer Sidorov' }, exported)?.matchedName).toBe('Ivan "The Hammer" Sidorov');
  });

  it('keeps every birth date: a true match on the second one is STRONG (FAIL CRITICAL)', () => {
    const second = screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate: '1962-04-12' }, exported);
    expect(second).toMatchObject({ strength: 'STRONG', birthDateMatches: true });
    expect(checkSanctions(second)).toMatchObject({ result: 'FAIL', severity: 'CRITICAL' });
    const third = screen({ name: 'Olga Viktorovna Kuznetsova', verifiedBirthDate: '1974-01-30' }, exported);
    expect(third).toMatchObject({ strength: 'STRONG', birthDateMatches: true });
    const yearOnly = screen({ name: 'Olga Viktorovna Kuznetsova', verifiedBirthDate: '1973-06-01' }, exported);
    expect(yearOnly).toMatchObject({ strength: 'STRONG', birthDateMatches: true });
    const none = screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate: '1990-01-01' }, exported);
    expect(none).toMatchObject({ strength: 'WEAK', birthDateMatches: false });
    expect(checkSanctions(none)).toMatchObject({ result: 'REVIEW', severity: 'HIGH' });
  });

  it('reads a cell the way Python csv does: a quote opens a value only at its start', () => {
    const csv = [
      '"id","name","aliases"',
      '"x1","A","""a;b"";plain;""say """"hi"""""";"""""',
      `"x2","B","5'11"" tall;x"`,
    ].join('\n');
    const [x1, x2] = parseSanctionsCsv(csv);
    expect(x1!.aliases).toEqual(['a;b', 'plain', 'say "hi"']); // the empty value "" is dropped
    expect(x2!.aliases).toEqual([`5'11" tall`, 'x']);
  });
});
