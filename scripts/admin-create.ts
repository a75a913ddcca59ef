/**
 * Creates the first staff account:
 *   npm run admin:create -- --email ops@example.com --role MASTER [--name "Ops"] [--country GB]
 * The password is read from ADMIN_PASSWORD or, when unset, from standard input.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { loadConfigOrExit } from '../src/kernel/config';
import { createOrm, migrate } from '../src/kernel/db/orm';
import { createUser } from '../src/features/auth/users';

const argsSchema = z.object({
  email: z.string().email(),
  role: z.enum(['ADMIN', 'MASTER']),
  name: z.string().min(1).default('Administrator'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('GB'),
  password: z.string().min(10, 'password must be at least 10 characters'),
});

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question('Password: ');
  rl.close();
  return answer;
}

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      country: { type: 'string' },
    },
  });
  const parsed = argsSchema.safeParse({ ...values, password: await readPassword() });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`--${issue.path.join('.')}: ${issue.message}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const orm = await createOrm(config.DATABASE_URL);
  try {
    await migrate(orm);
    const a = parsed.data;
    const user = await createUser(
      orm.em.fork(),
      { email: a.email, password: a.password, fullName: a.name, country: a.country, role: a.role },
      { type: 'SYSTEM', id: 'admin:create' },
    );
    process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
