import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConsoleTransport } from '../../src/features/notifications/transports/console';

const logger = pino({ level: 'silent' });
const message = (n: number) => ({
  to: `user${n}@example.test`,
  from: 'no-reply@example.test',
  subject: `Subject ${n}`,
  text: `text ${n}`,
  html: `<p>html ${n}</p>`,
  idempotencyKey: `key-${n}`,
});
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('ConsoleTransport outbox file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-transport-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('each sent email is a JSON line in the file as soon as send resolves, appended after what was there', async () => {
    const file = join(dir, 'outbox.jsonl');
    writeFileSync(file, '{"earlier":true}\n');
    const transport = new ConsoleTransport({ logger, file });
    expect(await transport.send(message(1))).toEqual({ messageId: 'key-1' });
    expect(lines(file).map((l) => l.to ?? l.earlier)).toEqual([true, 'user1@example.test']);
    await Promise.all([2, 3, 4].map((n) => transport.send(message(n))));
    expect(
      lines(file)
        .slice(1)
        .map((l) => l.subject),
    ).toEqual(['Subject 1', 'Subject 2', 'Subject 3', 'Subject 4']);
    expect(lines(file)[4]).toMatchObject({ html: '<p>html 4</p>', idempotencyKey: 'key-4' });
    await transport.close();
  });

  it('close() releases the file; a new transport keeps appending to it', async () => {
    const file = join(dir, 'outbox.jsonl');
    const first = new ConsoleTransport({ logger, file });
    await first.send(message(1));
    await first.close();
    await first.close();
    const second = new ConsoleTransport({ logger, file });
    await second.send(message(2));
    await second.close();
    expect(lines(file).map((l) => l.to)).toEqual(['user1@example.test', 'user2@example.test']);
  });

  it('logs each email: at info without a file, at debug with one (the file is the record)', async () => {
    const seen: { level: number; to: string }[] = [];
    const capture = pino({ level: 'debug' }, { write: (line: string) => seen.push(JSON.parse(line)) });
    const plain = new ConsoleTransport({ logger: capture });
    expect(await plain.send(message(5))).toEqual({ messageId: 'key-5' });
    const filed = new ConsoleTransport({ logger: capture, file: join(dir, 'outbox.jsonl') });
    await filed.send(message(6));
    await filed.close();
    expect(seen.map((l) => [l.level, l.to])).toEqual([
      [30, 'user5@example.test'],
      [20, 'user6@example.test'],
    ]);
  });
});
