import { nameSimilarity, parseSanctionsCsv, screen, type SanctionsEntry } from '../../src/features/aml/sanctions';

/**
 * Name similarity worked out by hand from its definition: per token 1 - edit distance / longer
 * length; tokens of the shorter name paired longest first with their best unused partner; the
 * pair scores averaged weighted by token length; times sqrt(shorter / longer token count).
 */
describe('nameSimilarity by hand', () => {
  it.each([
    ['identical', 'Ivan Sidorov', 'Ivan Sidorov', 1],
    ['one letter missing in a 7-letter token: 1 - 1/7', 'Sidorv', 'Sidorov', 6 / 7],
    ['weighted by length: (6 x 6/7 + 4 x 1) / 10', 'Ivan Sidorv', 'Ivan Sidorov', (6 * (6 / 7) + 4) / 10],
    ['two of three tokens: sqrt(2/3)', 'Ivan Sidorov', 'Ivan Petrovich Sidorov', Math.sqrt(2 / 3)],
    ['the same, the longer name first', 'Ivan Petrovich Sidorov', 'Ivan Sidorov', Math.sqrt(2 / 3)],
    ['one of two tokens: sqrt(1/2)', 'Ivan', 'Ivan Ivan', Math.sqrt(1 / 2)],
    // "anna" pairs with "anna" once; the second "anna" is left "maria" (3 edits of 5): (4 + 4 x 0.4) / 8.
    ['a used token is not paired twice', 'Anna Anna', 'Anna Maria', 0.7],
    // Longest first: "alan" takes "alan" (1), "al" gets "xy" (0): (4 + 0) / 6. Shortest first,
    // "al" would take "alan" (0.5) and leave "alan" with "xy" (0): 1/6.
    ['the longest token chooses first', 'Al Alan', 'Alan Xy', 4 / 6],
    ['nothing in common', 'Abc', 'Xyz', 0],
    ['an empty name', '', 'Ivan', 0],
    ['a name of punctuation only', '--', 'Ivan', 0],
    ['the other side empty', 'Ivan', ' ', 0],
  ])('%s', (_why, a, b, expected) => {
    expect(nameSimilarity(a, b)).toBeCloseTo(expected, 10);
  });
});

const person = (over: Partial<SanctionsEntry>): SanctionsEntry => ({
  id: 'p',
  schema: 'Person',
  name: 'Ivan Petrovich Sidorov',
  aliases: [],
  birthDates: [],
  countries: [],
  sanctions: [],
  programIds: [],
  datasets: [],
  ...over,
});

describe('screen', () => {
  it('screens people, legal entities and companies, not vessels or aircraft', () => {
    for (const schema of ['Person', 'LegalEntity', 'Company']) {
      expect(screen({ name: 'Northern Star' }, [person({ schema, name: 'Northern Star' })])?.entry.schema).toBe(schema);
    }
    for (const schema of ['Vessel', 'Airplane']) {
      expect(screen({ name: 'Northern Star' }, [person({ schema, name: 'Northern Star' })])).toBeNull();
    }
  });

  it('keeps the best-scoring entry; on a tie the first listed', () => {
    const partial = person({ id: 'partial', name: 'Ivan Sidorov Petrovich Ivanovich' }); // 3 of 4 tokens
    const full = person({ id: 'full' });
    expect(screen({ name: 'Ivan Petrovich Sidorov' }, [partial, full])?.entry.id).toBe('full');
    expect(screen({ name: 'Ivan Petrovich Sidorov' }, [full, partial])?.entry.id).toBe('full');
    const twin = person({ id: 'twin' });
    expect(screen({ name: 'Ivan Petrovich Sidorov' }, [full, twin])?.entry.id).toBe('full');
  });

  it('matches on an alias and reports which name matched', () => {
    const match = screen({ name: 'Vanya Sidorov' }, [person({ aliases: ['Vanya Sidorov'] })]);
    expect(match).toMatchObject({ matchedName: 'Vanya Sidorov', score: 1, strength: 'STRONG' });
  });

  it('rounds the score to three decimals', () => {
    // (6 x 6/7 + 4) / 10 = 0.9142857...
    expect(screen({ name: 'Ivan Sidorv' }, [person({ name: 'Ivan Sidorov' })])?.score).toBe(0.914);
  });

  it('a score from 0.8 up to 0.9 is a weak match; below 0.8 no match', () => {
    // One edit in "sidorov" alone: 6/7 = 0.857.
    expect(screen({ name: 'Sidorv' }, [person({ name: 'Sidorov' })])).toMatchObject({
      strength: 'WEAK',
      score: 0.857,
      birthDateMatches: null,
      strongNameDifferentBirthDate: false,
    });
    // Two of three tokens: sqrt(2/3) = 0.816.
    expect(screen({ name: 'Ivan Sidorov' }, [person({})])).toMatchObject({ strength: 'WEAK', score: 0.816 });
    // Two edits in "sidorov": 5/7 = 0.714.
    expect(screen({ name: 'Sidrv' }, [person({ name: 'Sidorov' })])).toBeNull();
    // Exactly 0.8 counts: one edit in a 5-letter token.
    expect(screen({ name: 'Petro' }, [person({ name: 'Petra' })])).toMatchObject({ strength: 'WEAK', score: 0.8 });
    // Exactly 0.9 is strong: one edit in a 10-letter token.
    expect(screen({ name: 'Abcdefghij' }, [person({ name: 'Abcdefghix' })])).toMatchObject({
      strength: 'STRONG',
      score: 0.9,
    });
  });

  describe('birth dates', () => {
    const listed = person({ birthDates: ['1961-04-12', '1975'] });
    const sidorov = (verifiedBirthDate: string | null | undefined) =>
      screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate }, [listed]);

    it('a verified date equal to a listed one, or inside a listed year, confirms the match', () => {
      expect(sidorov('1961-04-12')).toMatchObject({ strength: 'STRONG', birthDateMatches: true });
      expect(sidorov('1975-08-01')).toMatchObject({ strength: 'STRONG', birthDateMatches: true });
    });

    it('a verified timestamp is compared by its date', () => {
      expect(sidorov('1961-04-12T00:00:00.000Z')).toMatchObject({ birthDateMatches: true });
    });

    it('a subject date given only as a year matches a full listed date in that year', () => {
      expect(sidorov('1961')).toMatchObject({ birthDateMatches: true });
    });

    it('another verified date weakens a strong name match and holds withdrawals', () => {
      expect(sidorov('1961-04-13')).toMatchObject({
        strength: 'WEAK',
        birthDateMatches: false,
        strongNameDifferentBirthDate: true,
      });
    });

    it('without a verified date, or with no listed dates, the name alone decides', () => {
      for (const verified of [null, undefined, '']) {
        expect(sidorov(verified)).toMatchObject({ strength: 'STRONG', birthDateMatches: null });
      }
      expect(screen({ name: 'Ivan Petrovich Sidorov', verifiedBirthDate: '1990-01-01' }, [person({})])).toMatchObject({
        strength: 'STRONG',
        birthDateMatches: null,
        strongNameDifferentBirthDate: false,
      });
    });

    it('a weak name match with another birth date is weak, but not held as a strong name', () => {
      const weak = screen({ name: 'Sidorv', verifiedBirthDate: '1990-01-01' }, [
        person({ name: 'Sidorov', birthDates: ['1961-04-12'] }),
      ]);
      expect(weak).toMatchObject({ strength: 'WEAK', birthDateMatches: false, strongNameDifferentBirthDate: false });
    });
  });
});

describe('parseSanctionsCsv edge cases', () => {
  it('reads a file with a byte-order mark, CRLF line ends, blank lines and no final newline', () => {
    const csv = '\uFEFF"id","name"\r\n"a1","Ann"\r\n\r\n"a2","Bob"';
    expect(parseSanctionsCsv(csv).map((e) => [e.id, e.name])).toEqual([
      ['a1', 'Ann'],
      ['a2', 'Bob'],
    ]);
  });

  it('reads bare LF and CR line ends alike', () => {
    expect(parseSanctionsCsv('id,name\na1,Ann\ra2,Bob\n').map((e) => e.id)).toEqual(['a1', 'a2']);
  });

  it('needs the id and name columns; finds them in any position', () => {
    expect(() => parseSanctionsCsv('name,schema\nAnn,Person\n')).toThrow(/id and name/);
    expect(() => parseSanctionsCsv('id,schema\na1,Person\n')).toThrow(/id and name/);
    expect(() => parseSanctionsCsv('')).toThrow(/id and name/);
    expect(parseSanctionsCsv('countries,name,id\nru;by,Ann,a1\n')[0]).toMatchObject({
      id: 'a1',
      name: 'Ann',
      countries: ['RU', 'BY'],
    });
  });

  it('defaults a missing schema to Person; absent multi-value columns are empty lists', () => {
    expect(parseSanctionsCsv('id,name\na1,Ann\n')).toEqual([
      {
        id: 'a1',
        schema: 'Person',
        name: 'Ann',
        aliases: [],
        birthDates: [],
        countries: [],
        sanctions: [],
        programIds: [],
        datasets: [],
      },
    ]);
    expect(parseSanctionsCsv('id,schema,name\na1,,Ann\n')[0]!.schema).toBe('Person');
    expect(parseSanctionsCsv('id,schema,name\na1,Company,Acme\n')[0]!.schema).toBe('Company');
  });

  it('reads every multi-value column, trimming values and dropping empty ones', () => {
    const csv = [
      'id,name,aliases,birth_date,countries,sanctions,program_ids,dataset',
      'a1,Ann, Annie ; ;A.,1970;1971-02,gb ; fr,s1;s2,p1,d1;d2',
    ].join('\n');
    expect(parseSanctionsCsv(csv)[0]).toEqual({
      id: 'a1',
      schema: 'Person',
      name: 'Ann',
      aliases: ['Annie', 'A.'],
      birthDates: ['1970', '1971-02'],
      countries: ['GB', 'FR'],
      sanctions: ['s1', 's2'],
      programIds: ['p1'],
      datasets: ['d1', 'd2'],
    });
  });

  it('skips rows without an id and keeps short rows', () => {
    const parsed = parseSanctionsCsv('id,name,aliases\n,Nobody,x\na1,Ann\n');
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ id: 'a1', name: 'Ann', aliases: [] });
  });

  it('keeps a line break inside a quoted field and a quoted value followed by more text', () => {
    const parsed = parseSanctionsCsv('id,name,aliases\na1,"Ann\nSmith","A"nnie;B\n');
    expect(parsed[0]).toMatchObject({ name: 'Ann\nSmith', aliases: ['Annie', 'B'] });
  });

  it('a quote inside an unquoted field is an ordinary character', () => {
    expect(parseSanctionsCsv('id,name\na1,Ann "Jr" Smith\n')[0]!.name).toBe('Ann "Jr" Smith');
  });

  it('an empty quoted field followed by a delimiter starts a new field', () => {
    expect(parseSanctionsCsv('id,name,aliases\n"a1","","x"\n')[0]).toMatchObject({
      id: 'a1',
      name: '',
      aliases: ['x'],
    });
  });

  it('a line break inside a multi-value cell does not split it', () => {
    expect(parseSanctionsCsv('id,name,aliases\na1,Ann,"Annie\nA;B"\n')[0]!.aliases).toEqual(['Annie\nA', 'B']);
  });
});
