/**
 * Runs one jest test N times in a row while another test file runs alongside in a loop (the
 * "busy machine" of a CI run), and reports how many runs passed and every 5xx the runs logged.
 *
 *   npx tsx scripts/repeat-test.ts [--runs 20] [--file test/integration/binary.test.ts]
 *       [--test '200 trades'] [--alongside test/integration/ledger.test.ts]
 *
 * Exits 0 only when every run passed. The output of each failed run is kept in
 * .data/repeat-test/run-<n>.log so the cause (a deadlock, a pool timeout, a race) can be read.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const runs = Number(arg('runs', '20'));
const file = arg('file', 'test/integration/binary.test.ts');
const testName = arg('test', '200 trades');
const alongside = arg('alongside', 'test/integration/ledger.test.ts');
const root = join(__dirname, '..');
const logDir = join(root, '.data', 'repeat-test');
mkdirSync(logDir, { recursive: true });

function jest(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const done = new Promise<{ code: number; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code: code ?? 1, output })),
  );
  return { child, done };
}

async function main() {
  let stop = false;
  let alongsideRuns = 0;
  let current: ReturnType<typeof jest> | undefined;
  // The parallel load: another integration file, over and over, until the repeated runs end.
  const load = (async () => {
    while (!stop) {
      current = jest([alongside, '--runInBand']);
      await current.done;
      alongsideRuns++;
    }
  })();

  let passed = 0;
  const failures: number[] = [];
  for (let n = 1; n <= runs; n++) {
    const started = Date.now();
    // info-level logs so a 5xx's cause (the error the API logged) is in the run's output.
    const { code, output } = await jest([file, '-t', testName, '--runInBand'], { TEST_LOG_LEVEL: 'info' }).done;
    const fivexx = (output.match(/"status":5\d\d/g) ?? []).length;
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    if (code === 0) passed++;
    else {
      failures.push(n);
      writeFileSync(join(logDir, `run-${n}.log`), output);
    }
    console.log(`run ${n}/${runs}: ${code === 0 ? 'PASS' : 'FAIL'} in ${secs}s, 5xx logged: ${fivexx}`);
  }
  stop = true;
  current?.child.kill('SIGTERM');
  await load;
  console.log(
    `REPEAT ${file} -t '${testName}': ${passed}/${runs} passed` +
      `${failures.length ? ` (failed: ${failures.join(', ')}, logs in ${logDir})` : ''}; ` +
      `${alongside} ran ${alongsideRuns} times alongside`,
  );
  process.exit(passed === runs ? 0 : 1);
}

void main();
