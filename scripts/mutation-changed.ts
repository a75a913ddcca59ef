/**
 * Mutation testing of the changed files only (`npm run test:mutation:changed`): the files of
 * stryker.config.js's `mutate` list that differ from a base, plus those a changed unit test
 * imports directly. The base is `--base <ref>`, else the merge base with origin/main (or main),
 * else the previous commit; uncommitted changes count too. `--list` prints the files and runs nothing;
 * any other argument goes to Stryker (e.g. `--concurrency 1`). The full run stays
 * `npm run test:mutation`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const { mutate } = require(join(root, 'stryker.config.js')) as { mutate: string[] };

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

/** A glob of the kind the mutate list uses (`*`, `**`, `{a,b}`) as a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '{') {
      out += '(?:';
      depth++;
    } else if (ch === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (ch === ',' && depth > 0) out += '|';
    else out += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

const mutated = (file: string) => mutate.some((glob) => !glob.startsWith('!') && globToRegExp(glob).test(file));

/** Source files a test imports with a relative path (`../../src/kernel/money`). */
function importsOf(testFile: string): string[] {
  const text = readFileSync(join(root, testFile), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const target = normalize(join(dirname(testFile), m[1]!));
    for (const candidate of [`${target}.ts`, join(target, 'index.ts')]) {
      if (existsSync(join(root, candidate))) found.push(relative(root, join(root, candidate)));
    }
  }
  return found;
}

function changedFiles(base: string | undefined): { base: string; files: string[] } {
  const head = git('rev-parse', 'HEAD');
  const mergeBase = ['origin/main', 'main']
    .map((branch) => (git('rev-parse', '--verify', '--quiet', branch) ? git('merge-base', 'HEAD', branch) : null))
    .find((mb) => mb && mb !== head);
  const ref = base ?? mergeBase ?? 'HEAD~1';
  const committed = git('diff', '--name-only', '--diff-filter=d', ref, 'HEAD');
  if (committed === null) throw new Error(`cannot diff against ${ref}`);
  const uncommitted = git('diff', '--name-only', '--diff-filter=d', 'HEAD') ?? '';
  const untracked = git('ls-files', '--others', '--exclude-standard') ?? '';
  const files = [committed, uncommitted, untracked].flatMap((s) => s.split('\n')).filter(Boolean);
  return { base: ref, files: [...new Set(files)] };
}

function main(): number {
  const args = process.argv.slice(2);
  const baseAt = args.indexOf('--base');
  const base = baseAt >= 0 ? args[baseAt + 1] : undefined;
  const listOnly = args.includes('--list');
  const passThrough = args.filter((a, i) => a !== '--list' && i !== baseAt && i !== baseAt + 1);

  const { base: ref, files } = changedFiles(base);
  const targets = new Set(files.filter(mutated));
  for (const f of files.filter((f) => /^test\/unit\/.*\.test\.ts$/.test(f))) {
    for (const imported of importsOf(f)) if (mutated(imported)) targets.add(imported);
  }
  const list = [...targets].sort();
  console.log(`changed since ${ref}: ${list.length ? list.join(', ') : 'no file that mutation testing covers'}`);
  if (listOnly || list.length === 0) return 0;
  const run = spawnSync('npx', ['stryker', 'run', '--mutate', list.join(','), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  return run.status ?? 1;
}

if (require.main === module) process.exit(main());
