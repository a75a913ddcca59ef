import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createOrm } from '../../src/kernel/db/orm';
import { authenticateUser } from '../../src/features/auth/users';
import { uniqueEmail } from '../helpers/http';

const root = join(__dirname, '..', '..');

function adminCreate(args: string[], password: string) {
  return spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts/admin-create.ts'), ...args], {
    env: { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, ADMIN_PASSWORD: password },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run admin:create', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await createOrm(process.env.TEST_DATABASE_URL!);
  });
  afterAll(() => orm.close());

  it('creates a MASTER who can log in, audited as created by the command', async () => {
    const email = uniqueEmail('master');
    const res = adminCreate(['--email', email, '--role', 'MASTER'], 'a strong master password');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`created MASTER ${email}`));
    const user = await authenticateUser(orm.em.fork(), email, 'a strong master password');
    expect(user.role).toBe('MASTER');
    const audit = await orm.em
      .fork()
      .execute(`select actor_type, actor_id from audit_logs where target_id = ? and action = 'user.created'`, [
        user.id,
      ]);
    expect(audit).toEqual([{ actor_type: 'SYSTEM', actor_id: 'admin:create' }]);
  });

  it('refuses a USER role and a short password, creating nothing', async () => {
    const email = uniqueEmail('nope');
    const res = adminCreate(['--email', email, '--role', 'USER'], 'short');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--role/);
    expect(res.stderr).toMatch(/--password: password must be at least 10 characters/);
    expect(await orm.em.fork().execute('select 1 from users where email = ?', [email])).toHaveLength(0);
  });
});
