import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { hmacSha256Hex, sha256, toHex, utf8 } from '../../src/kernel/temporal/hmac-sha256';

/** The workflow sandbox's own SHA-256 and HMAC agree with Node's crypto and with RFC 4231. */
describe('pure-JavaScript SHA-256 / HMAC-SHA256', () => {
  it('matches the FIPS 180-2 examples', () => {
    expect(toHex(sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  // RFC 4231 section 4: test cases 1-4, 6 and 7 (case 5 is a truncated output).
  const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
  it.each([
    [1, hex('0b'.repeat(20)), utf8('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [
      2,
      utf8('Jefe'),
      utf8('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [3, hex('aa'.repeat(20)), hex('dd'.repeat(50)), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    [
      4,
      hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      hex('cd'.repeat(50)),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    ],
    [
      6,
      hex('aa'.repeat(131)),
      utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
    [
      7,
      hex('aa'.repeat(131)),
      utf8(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ])('RFC 4231 test case %i', (_, key, data, expected) => {
    expect(hmacSha256Hex(key, data)).toBe(expected);
  });

  it('agrees with node:crypto on 2,000 random keys and messages of every length around the block edges', () => {
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes(randomInt(0, 200));
      // Lengths up to 300 bytes cover 0, 55, 56, 63, 64, 119, 120 ... (the padding edge cases).
      const message = randomBytes(i < 300 ? i : randomInt(0, 5000));
      expect(toHex(sha256(message))).toBe(createHash('sha256').update(message).digest('hex'));
      expect(hmacSha256Hex(key, message)).toBe(createHmac('sha256', key).update(message).digest('hex'));
    }
  });

  it('encodes strings as UTF-8 exactly as Node does, astral characters and lone surrogates included', () => {
    const samples = ['', 'plain', 'é ü ß', '日本語', '😀 emoji', 'a\uD800b', '\uDC00 lone low', 'x\uD83D'];
    for (let i = 0; i < 200; i++) {
      samples.push(String.fromCharCode(...Array.from({ length: randomInt(0, 40) }, () => randomInt(0, 0xffff))));
    }
    for (const text of samples) {
      expect(Buffer.from(utf8(text)).toString('hex')).toBe(Buffer.from(text, 'utf8').toString('hex'));
      expect(hmacSha256Hex('key', text)).toBe(createHmac('sha256', 'key').update(text, 'utf8').digest('hex'));
    }
  });
});
