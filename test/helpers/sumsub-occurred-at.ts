/**
 * Run as a child process with TZ set (test/unit/sumsub-time-zone.test.ts): reads a Sumsub webhook
 * file with the real reader and prints the event time it found and the process's UTC offset.
 */
import { readFileSync } from 'node:fs';
import { SumsubWebhookReader } from '../../src/features/kyc/providers/sumsub';

const raw = readFileSync(process.argv[2]!);
const read = new SumsubWebhookReader('unused').read(JSON.parse(raw.toString('utf8')), raw);
process.stdout.write(
  JSON.stringify({
    occurredAt: read?.result.occurredAt ?? null,
    utcOffsetMinutes: -new Date(Date.UTC(2020, 1, 21)).getTimezoneOffset(),
  }),
);
