import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/stack/net';
import { processStartTime, readPidFiles, stopPidFiles, writePidFile } from '../../scripts/stack/pid-files';
import { startUiServer } from '../../scripts/stack/temporal';

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm run stack:stop` stops what the stack scripts started, including a process that never
 * became ready, and nothing else, even when a recorded pid has been reused by another process.
 */
describe('stack pid records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-pids-'));
  const others: ChildProcess[] = [];

  afterAll(() => {
    for (const child of others) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a server that never gets ready, so stopping the stack stops it', async () => {
    // A "UI server" that runs but never listens: the readiness wait gives up after 30 s.
    const neverReady = join(dir, 'never-ready');
    writeFileSync(neverReady, '#!/bin/sh\nexec sleep 300\n');
    chmodSync(neverReady, 0o755);
    const pidDir = join(dir, 'pids');

    await expect(
      startUiServer({
        binary: neverReady,
        port: await freePort(),
        temporalAddress: '127.0.0.1:1',
        namespace: 'default',
        dataDir: dir,
        logFile: join(dir, 'ui.log'),
        onSpawn: (pid) => writePidFile(pidDir, 'temporal-ui', pid),
      }),
    ).rejects.toThrow(/Temporal UI/);

    const [recorded] = readPidFiles(pidDir);
    expect(recorded).toMatchObject({ name: 'temporal-ui', ours: true });
    expect(alive(recorded!.pid)).toBe(true);
    await stopPidFiles(pidDir, 5_000);
    expect(alive(recorded!.pid)).toBe(false);
  }, 60_000);

  it('stack:stop leaves alone a pid from stack.json whose start time is not the recorded one', () => {
    const dataDir = join(dir, 'data');
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    others.push(other);
    const mine = spawn('sleep', ['300'], { stdio: 'ignore' });
    others.push(mine);
    execFileSync('mkdir', ['-p', dataDir]);
    writeFileSync(
      join(dataDir, 'stack.json'),
      JSON.stringify({
        pids: {
          // The recorded process is gone and its pid now belongs to someone else.
          temporal: { pid: other.pid, started: '1' },
          'temporal-ui': { pid: mine.pid, started: processStartTime(mine.pid!) },
        },
        env: {},
      }),
    );

    const out = execFileSync(tsx, [join(root, 'scripts/stack.ts'), 'down'], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });

    expect(out).not.toMatch(/stopped temporal \(/);
    expect(out).toMatch(/stopped temporal-ui \(pid \d+\)/);
    expect(alive(other.pid!)).toBe(true);
  });
});
