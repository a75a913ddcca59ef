/**
 * Sumsub applicant creation sends the country as ISO 3166-1 alpha-3, the form of Sumsub's own
 * examples (test/fixtures/sumsub/country-examples.json); users keep alpha-2 and the adapter converts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hmacHex } from '../../src/features/kyc/providers/http';
import { ISO3166_ALPHA3, toAlpha3 } from '../../src/features/kyc/providers/iso3166';
import { SumsubClient } from '../../src/features/kyc/providers/sumsub';

const json = (path: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', path), 'utf8'));

describe('Sumsub applicant creation: ISO 3166-1 alpha-3 country', () => {
  it("uses the form of Sumsub's own examples", () => {
    const { examples } = json('sumsub/country-examples.json');
    for (const e of examples) {
      expect(e.country).toMatch(/^[A-Z]{3}$/);
      expect(Object.values(ISO3166_ALPHA3)).toContain(e.country);
    }
  });

  it('converts every ISO 3166-1 alpha-2 code (complete table, one alpha-3 each)', () => {
    const entries = Object.entries(ISO3166_ALPHA3);
    expect(entries).toHaveLength(249);
    expect(new Set(entries.map(([, a3]) => a3)).size).toBe(249);
    for (const [a2, a3] of entries) {
      expect(a2).toMatch(/^[A-Z]{2}$/);
      expect(a3).toMatch(/^[A-Z]{3}$/);
      expect(toAlpha3(a2)).toBe(a3);
      expect(toAlpha3(a2.toLowerCase())).toBe(a3);
    }
    const spot = { GB: 'GBR', DE: 'DEU', US: 'USA', JP: 'JPN', KP: 'PRK', KR: 'KOR', CH: 'CHE', ZA: 'ZAF' };
    for (const [a2, a3] of Object.entries(spot)) expect(toAlpha3(a2)).toBe(a3);
    for (const [a2, a3] of Object.entries({ AX: 'ALA', SS: 'SSD', CW: 'CUW', BQ: 'BES', SX: 'SXM', TL: 'TLS' }))
      expect(toAlpha3(a2)).toBe(a3);
    expect(toAlpha3('XK')).toBeNull(); // user-assigned, not ISO 3166-1
    expect(toAlpha3('GBR')).toBeNull();
  });

  it('matches the ISO 3166-1 list of the iso-codes package where the machine has it', () => {
    let iso: { alpha_2: string; alpha_3: string }[];
    try {
      iso = JSON.parse(readFileSync('/usr/share/iso-codes/json/iso_3166-1.json', 'utf8'))['3166-1'];
    } catch {
      return; // not installed here; the table test above still holds
    }
    expect(Object.fromEntries(iso.map((c) => [c.alpha_2, c.alpha_3]))).toEqual(ISO3166_ALPHA3);
  });

  it('sends fixedInfo.country in alpha-3 while the user keeps alpha-2, signed as documented', async () => {
    const seen: { path: string; headers: Record<string, any>; body: string }[] = [];
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'applicant-1' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = new SumsubClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        appToken: 'sbx:token',
        secretKey: 'secret',
        levelName: 'basic-kyc-level',
      });
      const applicant = { userId: 'u-1', email: 'a@b.c', fullName: 'Ada Lovelace' };
      expect(await client.createVerification({ ...applicant, country: 'GB' })).toEqual({ providerId: 'applicant-1' });
      await client.createVerification({ ...applicant, country: 'XK' });
      const [gb, xk] = seen;
      expect(JSON.parse(gb!.body).fixedInfo).toEqual({ firstName: 'Ada', lastName: 'Lovelace', country: 'GBR' });
      expect(JSON.parse(xk!.body).fixedInfo).toEqual({ firstName: 'Ada', lastName: 'Lovelace' }); // no ISO code
      const ts = gb!.headers['x-app-access-ts'];
      expect(gb!.headers['x-app-access-sig']).toBe(hmacHex('sha256', 'secret', `${ts}POST${gb!.path}${gb!.body}`));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
