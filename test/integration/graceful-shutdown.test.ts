import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { freePort, isListening, waitFor } from '../../scripts/stack/net';

const root = join(__dirname, '..', '..');

function startApiProcess(port: number): ChildProcess {
  // `node --import tsx`, not the tsx CLI: the CLI relays signals and may kill a child that is still shutting down.
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main/api.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: process.env.TEST_REDIS_URL,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      RUN_MIGRATIONS: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

describe('graceful shutdown of an API process', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const port = await freePort();
    const child = startApiProcess(port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor('api process', () => isListening('127.0.0.1', port), 60_000);

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ email: 'nobody@example.test', password: 'not the password' });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/auth/login',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 200);
    });

    const res = await response;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('UNAUTHENTICATED');
    expect(await exited).toBe(0);
    expect(await isListening('127.0.0.1', port)).toBe(false);
  });
});
