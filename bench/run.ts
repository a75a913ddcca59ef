/**
 * Runs one benchmark: `npm run bench -- <name> [args...]` loads bench/<name>.bench.ts and calls
 * its `main(args)`. Benchmarks report ratios against a baseline measured in the same run.
 */
import { readdirSync } from 'node:fs';

const available = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args...]`);
  process.exit(2);
}
const bench = require(`./${name}.bench`) as { main: (args: string[]) => Promise<void> };
bench
  .main(args)
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
