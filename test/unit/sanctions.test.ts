import { join } from 'node:path';
import { checkSanctions } from '../../src/features/aml/rules';
import { nameSimilarity, normaliseName, parseSanctionsCsv, screen } from '../../src/features/aml/sanctions';
import { loadSanctionsList } from '../../src/features/aml/checks';

const list = loadSanctionsList(join(__dirname, '..', '..', 'data', 'sanctions', 'sample.csv'));

describe('sanctions screening', () => {
  it('loads the shipped list in the OpenSanctions targets.simple.csv shape', () => {
    expect(list.length).toBe(8);
    expect(list[0]).toMatchObject({
      id: 'test-sdn-0001',
      schema: 'Person',
      name: 'Ivan Petrovich Sidorov',
      aliases: ['Ivan Sidorov', 'Иван Петрович Сидоров'],
      birthDate: '1961-04-12',
      countries: ['RU'],
    });
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

  it('a strong name match with a different birth date is only a weak match (REVIEW HIGH)', () => {
    const match = screen({ name: 'Ivan Petrovich Sidorov', birthDate: '1990-01-01' }, list);
    expect(match).toMatchObject({ strength: 'WEAK', birthDateMatches: false });
    expect(checkSanctions(match)).toMatchObject({ result: 'REVIEW', severity: 'HIGH' });
    expect(screen({ name: 'Ivan Petrovich Sidorov', birthDate: '1961-04-12' }, list)).toMatchObject({
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
      sanctions: 'a, b',
    });
  });
});
