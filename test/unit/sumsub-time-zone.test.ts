import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Sumsub's createdAtMs is a UTC date-time without a zone (`2020-02-21 13:23:19.321`). Reading it
 * with Date.parse takes it as local time, so the reader runs here in a child process whose TZ is
 * Asia/Tokyo (UTC+9) and in one on UTC: the event time must be the same UTC instant in both.
 */
const root = join(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'sumsub', 'applicant-reviewed-green.json');
const documentedInstant = Date.UTC(2020, 1, 21, 13, 23, 19, 321); // "2020-02-21 13:23:19.321" UTC

function readUnder(tz: string): { occurredAt: number | null; utcOffsetMinutes: number } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test', 'helpers', 'sumsub-occurred-at.ts'), fixture],
    { cwd: root, env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 60_000 },
  );
  if (child.status !== 0) throw new Error(`child under TZ=${tz} failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

describe('Sumsub createdAtMs is read as UTC whatever the process time zone', () => {
  it.each([
    ['Asia/Tokyo', 540],
    ['UTC', 0],
    ['America/Los_Angeles', -480],
  ])('under TZ=%s', (tz, offset) => {
    const { occurredAt, utcOffsetMinutes } = readUnder(tz);
    expect(utcOffsetMinutes).toBe(offset); // the child really ran in that zone
    expect(occurredAt).toBe(documentedInstant);
  });
});
