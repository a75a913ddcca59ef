import { mkdirSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AppContext } from '../../src/main/context';
import { ADMINS_ROOM } from '../../src/features/realtime/events';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { startFakeExchange, type FakeExchange } from '../helpers/fake-exchange';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

/**
 * The operator console in a real browser (Debian's chromium driven by playwright-core) against
 * the real stack: API, worker, PostgreSQL, Redis, Temporal. Screenshots of every screen, at
 * 1280 and 768 px, go to artifacts/screenshots/ (git-ignored).
 */

const SHOTS = join(__dirname, '..', '..', 'artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let exchange: FakeExchange;
let ctx: AppContext;
let base: string;
let http: HttpClient;
let browser: Browser;
let admin: TestUser;
let secondAdmin: TestUser;
/** Every URL a page asked for: all must be this server's. */
const requested: string[] = [];
const symbol = `C${Array.from({ length: 6 }, () => String.fromCharCode(65 + randomInt(26))).join('')}USD`;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  exchange = await startFakeExchange();
  exchange.state.closePrice = '43000.10';
  ctx = await createTestContext({
    MARKET_FEED: 'EXCHANGE',
    EXCHANGE_BASE_URL: exchange.url,
    SYMBOLS: symbol,
    AML_REMINDER_INTERVAL_MS: '600000',
    // One admin account signs in for nearly every test, and every page load connects the live
    // updates: far more sign-ins and pages a minute than a person's limits allow.
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000',
    RATE_LIMIT_LOGIN_PER_IP: '1000',
    SOCKET_CONNECT_LIMIT: '1000',
  });
  await startTestWorker(ctx);
  base = (await startTestApi(ctx)).url;
  http = httpClient(base);
  admin = await createStaff(ctx, 'ADMIN');
  secondAdmin = await createStaff(ctx, 'MASTER');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await ctx?.shutdown.run('test done');
  await exchange?.close();
  if (!base) return;
  // No page ever reached outside this server (fonts, scripts and styles are all served here).
  const origin = new URL(base).host;
  expect(requested.filter((u) => !u.startsWith('data:') && new URL(u).host !== origin)).toEqual([]);
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (r) => requested.push(r.url()));
  const page = await context.newPage();
  return { context, page };
}

/**
 * Full-page screenshots at 1280 and 768 px; at both widths the page must not scroll sideways (wide
 * tables scroll inside their own box), which a screenshot alone would not show.
 */
async function shoot(page: Page, name: string) {
  for (const width of [1280, 768]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => ({
      scrollWidth: (globalThis as any).document.documentElement.scrollWidth as number,
      innerWidth: (globalThis as any).innerWidth as number,
    }));
    expect({ screen: name, width, fits: overflow.scrollWidth <= overflow.innerWidth, ...overflow }).toEqual(
      expect.objectContaining({ fits: true }),
    );
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/**
 * The flash message after a form post, as [kind, text]: a refusal ("Refused (404): ...") fails
 * the test with its own words rather than as a wait for a success message that never comes.
 */
async function flash(page: Page): Promise<[string, string]> {
  const message = page.locator('p.flash').first();
  const kind = (await message.getAttribute('class'))?.includes('error') ? 'error' : 'ok';
  return [kind, ((await message.textContent()) ?? '').trim()];
}

async function signIn(page: Page, who: { email: string; password: string }, path = '/console') {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/console\/login/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}

const sessionKey = async (context: BrowserContext) => {
  const cookie = (await context.cookies()).find((c) => c.name === 'console_session');
  return cookie && `${ctx.config.REDIS_PREFIX}:console:session:${cookie.value}`;
};

describe('sign-in', () => {
  it('a USER account is refused, with the reason on the sign-in page', async () => {
    const user = await registerUser(http);
    const { context, page } = await newPage();
    await signIn(page, user);
    expect(page.url()).toContain('/console/login');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/staff accounts \(ADMIN, MASTER\) only/);
    expect(await sessionKey(context)).toBeUndefined();
    await shoot(page, 'sign-in-refused');
    await context.close();
  });

  it('a wrong password stays on the sign-in page; the session cookie is HttpOnly and SameSite=Strict', async () => {
    const { context, page } = await newPage();
    await signIn(page, { email: admin.email, password: 'wrong password!' });
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Wrong email or password/);
    await shoot(page, 'sign-in');
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/kyc/);
    const cookie = (await context.cookies()).find((c) => c.name === 'console_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await context.close();
  });
});

describe('KYC review queue', () => {
  it('approve a case; a second admin holding the stale page gets the 409 explained', async () => {
    const user = await registerUser(http, { fullName: 'Ada Queue' });
    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
    await eventually(async () => (await sql('select 1 from kyc where user_id = ?', [user.id])).length > 0, 20_000);

    const a = await newPage();
    const b = await newPage();
    await signIn(a.page, admin, '/console/kyc');
    await signIn(b.page, secondAdmin, '/console/kyc');
    for (const { page } of [a, b]) await page.waitForURL(/\/console\/kyc$/);
    const row = a.page.locator(`tr[data-user="${user.id}"]`);
    await expect(row.textContent()).resolves.toContain(user.email);
    await expect(row.textContent()).resolves.toMatch(/LOCAL/);
    await shoot(a.page, 'kyc-queue');

    await row.getByLabel('Approval note (optional)').fill('Documents verified in the console');
    await row.getByRole('button', { name: 'Approve' }).click();
    await a.page.waitForURL(/\/console\/kyc$/);
    await expect(flash(a.page)).resolves.toEqual(['ok', expect.stringContaining(`Approved the KYC of ${user.email}`)]);
    await eventually(
      async () =>
        (await sql('select status, reviewed_by, notes from kyc where user_id = ?', [user.id]))[0].status === 'APPROVED',
    );
    const [kyc] = await sql('select status, reviewed_by, notes from kyc where user_id = ?', [user.id]);
    expect(kyc).toEqual({ status: 'APPROVED', reviewed_by: admin.id, notes: 'Documents verified in the console' });

    // The second admin's page still shows the case: their click is a 409, explained.
    const stale = b.page.locator(`tr[data-user="${user.id}"]`);
    await stale.getByRole('button', { name: 'Approve' }).click();
    await b.page.waitForURL(new RegExp(`/console/kyc/${user.id}$`));
    await expect(b.page.getByRole('alert').textContent()).resolves.toMatch(/409 Conflict.*decided it first/);
    // The decided case shows why its buttons are disabled.
    await expect(b.page.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);
    await expect(b.page.locator('.why').textContent()).resolves.toContain('already APPROVED');
    await shoot(b.page, 'kyc-conflict');
    await a.context.close();
    await b.context.close();
  });
});

/** The focused element and its accessible name (aria-label, its labels, else its own text). */
const focused = (page: Page) =>
  page.evaluate(() => {
    // The page's DOM (this file is compiled without the DOM types).
    const el = (globalThis as any).document.activeElement;
    const labels = el.labels
      ? Array.from(el.labels as ArrayLike<{ textContent: string }>, (l) => l.textContent).join(' ')
      : '';
    const name: string = el.getAttribute('aria-label') || labels || el.textContent || '';
    return { tag: (el.tagName as string).toLowerCase(), id: el.id as string, name: name.replace(/\s+/g, ' ').trim() };
  });

describe('keyboard only', () => {
  it('signs in and approves a KYC case with Tab, Shift+Tab, Enter and Space; every stop is a labelled control', async () => {
    const user = await registerUser(http, { fullName: 'Keyboard Case' });
    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
    await eventually(async () => (await sql('select 1 from kyc where user_id = ?', [user.id])).length > 0, 20_000);
    const { context, page } = await newPage();
    await page.goto(`${base}/console/kyc/${user.id}`);
    await page.waitForURL(/\/console\/login/);
    // The email field has the focus on arrival; the rest is typed and tabbed.
    await expect(focused(page)).resolves.toEqual({ tag: 'input', id: 'email', name: 'Email' });
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toEqual({ tag: 'input', id: 'password', name: 'Password' });
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ tag: 'button', name: 'Sign in' });
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/console/kyc/${user.id}$`));

    // From the top of the page: the skip link first, then each control in order, each with a name.
    const stops: { tag: string; id: string; name: string }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const stop = await focused(page);
      stops.push(stop);
      if (stop.id === 'notes-case') break;
    }
    expect(stops[0]).toMatchObject({ tag: 'a', name: 'Skip to content' });
    expect(stops.at(-1)).toEqual({ tag: 'input', id: 'notes-case', name: 'Approval note (optional)' });
    for (const stop of stops) expect(stop.name).not.toBe('');
    await page.keyboard.type('checked with the keyboard only');
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ tag: 'button', name: 'Approve' });
    // Back and forth: Shift+Tab returns to the note, Tab to the button.
    await page.keyboard.press('Shift+Tab');
    await expect(focused(page)).resolves.toMatchObject({ id: 'notes-case' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.waitForURL(/\/console\/kyc$/);
    await expect(flash(page)).resolves.toEqual(['ok', expect.stringContaining(`Approved the KYC of ${user.email}`)]);
    await eventually(
      async () => (await sql('select status from kyc where user_id = ?', [user.id]))[0].status === 'APPROVED',
    );
    const [kyc] = await sql('select reviewed_by, notes from kyc where user_id = ?', [user.id]);
    expect(kyc).toEqual({ reviewed_by: admin.id, notes: 'checked with the keyboard only' });
    await context.close();
  });
});

describe('KYC queue, live', () => {
  it('a KYC case newly awaiting review appears without a reload', async () => {
    const { context, page } = await newPage();
    await signIn(page, admin, '/console/kyc');
    await page.waitForURL(/\/console\/kyc$/);
    await page.locator('body[data-live-connected]').waitFor();
    await page.evaluate(() => ((globalThis as any).__notReloaded = true));
    const user = await registerUser(http, { fullName: 'Live Queue' });
    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
    await page.locator(`tr[data-user="${user.id}"]`).waitFor({ timeout: 30_000 });
    await page.locator('#live .toast', { hasText: user.id }).first().waitFor();
    expect(await page.evaluate(() => (globalThis as any).__notReloaded)).toBe(true);
    await shoot(page, 'kyc-queue-live');
    await context.close();
  });
});

describe('settlement failures', () => {
  it('a SETTLEMENT_FAILED trade is listed with its error; the retry settles it', async () => {
    const user = await registerUser(http);
    expect(
      (await http.post('/wallet/deposit', { amount: '100' }, user.token, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    exchange.state.down = true;
    const open = await http.post('/binary/open', { symbol, direction: 'UP', stake: '10', expiry: 1 }, user.token);
    expect(open.status).toBe(201);
    const tradeId = open.body.id as string;
    await eventually(
      async () =>
        (await sql('select status from binary_trades where id = ?', [tradeId]))[0].status === 'SETTLEMENT_FAILED',
      40_000,
      'SETTLEMENT_FAILED',
    );

    const { context, page } = await newPage();
    await signIn(page, admin, '/console/settlements');
    await page.waitForURL(/\/console\/settlements$/);
    const row = page.locator(`tr[data-trade="${tradeId}"]`);
    await expect(row.locator('.error-text').textContent()).resolves.toMatch(/503/);
    await shoot(page, 'settlements');

    exchange.state.down = false;
    await row.getByRole('button', { name: `Retry settlement of trade ${tradeId}` }).click();
    await page.waitForURL(new RegExp(`/console/settlements/${tradeId}$`));
    await expect(flash(page)).resolves.toEqual(['ok', expect.stringContaining('Retry requested')]);
    // The page refreshes its status in place until the settlement lands.
    await page.locator('#trade-status', { hasText: 'WON' }).waitFor({ timeout: 30_000 });
    await shoot(page, 'settlement-retried');
    await context.close();
  });
});

describe('AML cases', () => {
  it('a new case appears live; a two-admin unfreeze from two browsers', async () => {
    const a = await newPage();
    await signIn(a.page, admin, '/console/aml');
    await a.page.waitForURL(/\/console\/aml$/);
    await a.page.locator('body[data-live-connected]').waitFor();
    await a.page.evaluate(() => ((globalThis as any).__notReloaded = true));

    const user = await registerUser(http, { country: 'IR' });
    expect(
      (await http.post('/wallet/deposit', { amount: '10' }, user.token, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    // The case appears without a reload.
    await a.page.locator(`tr[data-user="${user.id}"]`).waitFor({ timeout: 30_000 });
    await a.page.locator('#live .toast', { hasText: user.id }).first().waitFor();
    expect(await a.page.evaluate(() => (globalThis as any).__notReloaded)).toBe(true);
    await shoot(a.page, 'aml-cases');

    // The list links to the case by its id.
    const [{ id: caseId }] = await sql(`select id from aml_cases where user_id = ?`, [user.id]);
    await a.page.locator(`tr[data-user="${user.id}"] a`).click();
    await a.page.waitForURL(new RegExp(`/console/aml/cases/${caseId}$`));
    await expect(a.page.locator('#account-status').textContent()).resolves.toContain('FROZEN');
    await expect(a.page.locator('#h-findings + div, #h-findings ~ *').first().textContent()).resolves.toMatch(
      /COUNTRY|JURISDICTION|SANCTION|CRITICAL/i,
    );
    // The case record: findings by rule, assignment and a note, each kept in the case timeline.
    await expect(a.page.locator('#case-findings').textContent()).resolves.toMatch(/COUNTRY[\s\S]*decline/);
    await a.page.getByLabel('Assign to').selectOption({ label: secondAdmin.email });
    await a.page.getByRole('button', { name: 'Assign' }).click();
    await expect(flash(a.page)).resolves.toEqual(['ok', expect.stringContaining('Case assigned')]);
    await expect(a.page.locator('#case-assignee').textContent()).resolves.toContain(secondAdmin.email);
    await expect(a.page.locator('#case-status').textContent()).resolves.toContain('INVESTIGATING');
    await a.page.getByLabel('Case note').fill('asked the user for proof of residence');
    await a.page.getByRole('button', { name: 'Add note' }).click();
    await expect(flash(a.page)).resolves.toEqual(['ok', expect.stringContaining('Note added')]);
    await expect(a.page.locator('#case-timeline').textContent()).resolves.toMatch(
      new RegExp(`ASSIGNED[\\s\\S]*NOTE[\\s\\S]*${admin.email.replace(/[.+]/g, '\\$&')}[\\s\\S]*proof of residence`),
    );
    const [record] = await sql(`select status, assignee_id from aml_cases where user_id = ?`, [user.id]);
    expect(record).toEqual({ status: 'INVESTIGATING', assignee_id: secondAdmin.id });
    await shoot(a.page, 'aml-case-record');
    await a.page.getByLabel('Note (optional)').fill('source of funds explained');
    await a.page.getByRole('button', { name: 'Approve unfreeze' }).click();
    await expect(flash(a.page)).resolves.toEqual([
      'ok',
      expect.stringContaining('A second, different admin must approve'),
    ]);
    await expect(a.page.locator('#first-approval').textContent()).resolves.toContain(admin.email);
    await expect(a.page.getByRole('button', { name: 'Approve unfreeze' }).isDisabled()).resolves.toBe(true);
    await shoot(a.page, 'aml-case-first-approval');
    // The page reloaded after the form post: its live connection must be back before the second approval.
    await a.page.locator('body[data-live-connected]').waitFor();
    expect((await sql('select status from users where id = ?', [user.id]))[0].status).toBe('FROZEN');

    const b = await newPage();
    // The address by user id (live notices link to it) leads to the user's open case.
    await signIn(b.page, secondAdmin, `/console/aml/${user.id}`);
    await b.page.waitForURL(new RegExp(`/console/aml/cases/${caseId}$`));
    await expect(b.page.locator('#first-approval').textContent()).resolves.toMatch(
      new RegExp(`Approved first by ${admin.email.replace(/[.+]/g, '\\$&')}.*Your approval completes`),
    );
    await shoot(b.page, 'aml-case-second-admin');
    await b.page.getByRole('button', { name: 'Approve unfreeze' }).click();
    await expect(flash(b.page)).resolves.toEqual(['ok', expect.stringContaining('Second approval recorded')]);
    await eventually(
      async () => (await sql('select status from users where id = ?', [user.id]))[0].status === 'ACTIVE',
      20_000,
      'unfrozen',
    );
    // The first admin's page follows without a reload (aml:unfrozen in the admins room).
    await a.page.locator('#account-status', { hasText: 'ACTIVE' }).waitFor({ timeout: 20_000 });
    await a.page.locator('#case-status', { hasText: 'CLOSED (CLEARED)' }).waitFor({ timeout: 20_000 });
    await shoot(a.page, 'aml-case-unfrozen');
    await a.context.close();
    await b.context.close();
  });
});

/** A user whose deposit above the daily limit opens a review case (DEPOSIT_LIMIT, no freeze). */
async function userWithReviewCase(): Promise<{ user: TestUser; caseId: string }> {
  const user = await registerUser(http);
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  const dep = await http.post('/wallet/deposit', { amount: '50000.01' }, user.token, {
    'idempotency-key': randomUUID(),
  });
  expect(dep.status).toBe(201);
  const caseId = await caseOf(user.id);
  return { user, caseId };
}

/** The user's open AML case, once the AML run has opened it. */
async function caseOf(userId: string): Promise<string> {
  let id = '';
  await eventually(
    async () => {
      id = (await sql(`select id from aml_cases where user_id = ? and status <> 'CLOSED'`, [userId]))[0]?.id ?? '';
      return id !== '';
    },
    30_000,
    'the AML case',
  );
  return id;
}

describe('AML case without a freeze, and the user lookup', () => {
  it('escalate a review case from its page; the user page lists both cases, the timeline with the finding, and the queue jobs', async () => {
    const { user, caseId: reviewCase } = await userWithReviewCase();
    const { context, page } = await newPage();
    await signIn(page, admin, `/console/aml/${user.id}`);
    await page.waitForURL(new RegExp(`/console/aml/cases/${reviewCase}$`));
    await expect(page.locator('#case-status').textContent()).resolves.toContain('OPEN');
    // The decisions the API allows for a case without a freeze, not "No open case".
    await expect(page.getByRole('button', { name: 'Clear and close' }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Approve unfreeze' }).count()).resolves.toBe(0);
    await shoot(page, 'aml-case-review');
    await page.getByLabel('Reason to escalate').fill('source of funds not shown');
    await page.getByRole('button', { name: 'Escalate: freeze the account' }).click();
    await page.waitForURL(new RegExp(`/console/aml/cases/${reviewCase}$`));
    await expect(flash(page)).resolves.toEqual(['ok', expect.stringContaining('Case escalated and closed')]);
    await expect(page.locator('#case-status').textContent()).resolves.toContain('CLOSED (ESCALATED)');
    await expect(page.locator('#case-state').textContent()).resolves.toContain('This case is closed');
    expect((await sql('select status from users where id = ?', [user.id]))[0].status).toBe('FROZEN');
    const freezeCase = await caseOf(user.id);
    expect(freezeCase).not.toBe(reviewCase);

    // Found by email: both cases, each linking to its page.
    await page.getByRole('link', { name: 'User lookup' }).click();
    await page.getByLabel('Email or user id').fill(user.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(new RegExp(`/console/users/${user.id}$`));
    const cases = page.locator('#user-cases tbody tr');
    await expect(cases.count()).resolves.toBe(2);
    await expect(page.locator(`#user-cases tr[data-case="${reviewCase}"]`).textContent()).resolves.toMatch(
      /CLOSED \(ESCALATED\)[\s\S]*review[\s\S]*DEPOSIT_LIMIT x1/,
    );
    await expect(page.locator(`#user-cases tr[data-case="${freezeCase}"]`).textContent()).resolves.toMatch(/OPEN/);
    // The compliance timeline of GET /admin/users/:id/timeline: the finding, the decision with who and why.
    const timeline = page.locator('#compliance-timeline');
    await expect(timeline.locator('li[data-category="aml_finding"]').first().textContent()).resolves.toMatch(
      /aml\.finding\.deposit_limit[\s\S]*DEPOSIT_LIMIT/,
    );
    await expect(timeline.locator('li[data-category="decision"]').first().textContent()).resolves.toMatch(
      new RegExp(`ESCALATED[\\s\\S]*${admin.email.replace(/[.+]/g, '\\$&')}[\\s\\S]*source of funds not shown`),
    );
    // The freeze's entries link to its workflow in the Temporal UI.
    await eventually(
      async () => {
        await page.reload();
        return (await page.locator('#compliance-timeline a', { hasText: 'workflow in the Temporal UI' }).count()) > 0;
      },
      20_000,
      'a workflow link in the timeline',
    );
    const workflowLink = await page
      .locator('#compliance-timeline a', { hasText: 'workflow in the Temporal UI' })
      .first()
      .getAttribute('href');
    expect(decodeURIComponent(workflowLink!)).toContain(`aml-freeze-${user.id}`);
    // The user's emails (welcome, account frozen) are their queue jobs, linked into the queue dashboard.
    let jobHref: string | null = null;
    await eventually(
      async () => {
        await page.reload();
        jobHref = await page
          .locator('#user-links a[href^="/admin/queues/queue/"]')
          .first()
          .getAttribute('href', { timeout: 500 })
          .catch(() => null);
        return jobHref !== null;
      },
      20_000,
      'the email job link',
    );
    expect(jobHref).toMatch(/^\/admin\/queues\/queue\/email-notifications\/.+/);
    await shoot(page, 'user-cases-timeline');
    const job = await page.goto(`${base}${jobHref}`);
    expect(job!.status()).toBe(200);
    expect(page.url()).toBe(`${base}${jobHref}`);

    // The older, closed case opens from the user page.
    await page.goBack();
    await page.locator(`#user-cases tr[data-case="${reviewCase}"] a`).click();
    await page.waitForURL(new RegExp(`/console/aml/cases/${reviewCase}$`));
    await expect(page.locator('#case-timeline').textContent()).resolves.toMatch(/DECISION[\s\S]*ESCALATED/);
    // Close the freeze case so its workflow does not outlive the test.
    await page.goto(`${base}/console/aml/cases/${freezeCase}`);
    await page.getByLabel('Reason to keep frozen').fill('escalated: kept frozen');
    await page.getByRole('button', { name: 'Keep frozen and close' }).click();
    await expect(flash(page)).resolves.toEqual(['ok', expect.stringContaining('the account stays frozen')]);
    await context.close();
  });
});

describe('AML case list filters', () => {
  it('status, rule and assignee each narrow the list', async () => {
    const { caseId: reviewCase } = await userWithReviewCase();
    const assigned = await http.put(`/aml/admin/cases/${reviewCase}/assignee`, { assigneeId: admin.id }, admin.token);
    expect(assigned.status).toBe(200);
    const frozen = await registerUser(http, { country: 'IR' });
    expect(
      (await http.post('/wallet/deposit', { amount: '10' }, frozen.token, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    await caseOf(frozen.id);

    const { context, page } = await newPage();
    await signIn(page, admin, '/console/aml');
    await page.waitForURL(/\/console\/aml$/);
    const listed = async () => ({
      reviewed: await page.locator(`tr[data-case="${reviewCase}"]`).count(),
      frozen: await page.locator(`tr[data-user="${frozen.id}"]`).count(),
    });
    const filter = async (values: { status?: string; rule?: string; assignee?: string }) => {
      await page.getByLabel('Status').selectOption(values.status ?? 'ACTIVE');
      await page.getByLabel('Rule').selectOption(values.rule ?? '');
      await page.getByLabel('Assignee').selectOption(values.assignee ?? '');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/\/console\/aml\?/);
      return listed();
    };
    await expect(listed()).resolves.toEqual({ reviewed: 1, frozen: 1 });
    await expect(filter({ status: 'INVESTIGATING' })).resolves.toEqual({ reviewed: 1, frozen: 0 });
    await expect(filter({ status: 'OPEN' })).resolves.toEqual({ reviewed: 0, frozen: 1 });
    await expect(filter({ status: 'CLOSED' })).resolves.toEqual({ reviewed: 0, frozen: 0 });
    await expect(filter({ rule: 'DEPOSIT_LIMIT' })).resolves.toEqual({ reviewed: 1, frozen: 0 });
    await expect(filter({ rule: 'COUNTRY' })).resolves.toEqual({ reviewed: 0, frozen: 1 });
    await expect(filter({ assignee: 'me' })).resolves.toEqual({ reviewed: 1, frozen: 0 });
    await expect(filter({ assignee: 'none' })).resolves.toEqual({ reviewed: 0, frozen: 1 });
    // The form keeps the chosen filter after the reload.
    await expect(page.getByLabel('Assignee').inputValue()).resolves.toBe('none');
    await shoot(page, 'aml-cases-filtered');
    // Close the freeze case so its workflow does not outlive the test.
    const keep = await http.put(
      `/aml/admin/users/${frozen.id}/decision`,
      { decision: 'KEEP_FROZEN', notes: 'test done' },
      admin.token,
    );
    expect(keep.status).toBe(200);
    await context.close();
  });
});

describe('flash messages', () => {
  it('a live refresh that runs while a form post is answered leaves the message to the page it redirects to', async () => {
    const user = await registerUser(http, { country: 'IR' });
    expect(
      (await http.post('/wallet/deposit', { amount: '10' }, user.token, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    let caseId = '';
    await eventually(
      async () => {
        caseId = (await sql(`select id from aml_cases where user_id = ?`, [user.id]))[0]?.id ?? '';
        return caseId !== '';
      },
      20_000,
      'the case record',
    );
    const { context, page } = await newPage();
    await signIn(page, admin, `/console/aml/cases/${caseId}`);
    await page.waitForURL(new RegExp(`/console/aml/cases/${caseId}$`));
    await page.locator('body[data-live-connected]').waitFor();
    const csrf = await page.locator('body').getAttribute('data-csrf');
    // The form post is answered (303, message in the session) while the old page is still open.
    const post = await context.request.post(`${base}/console/aml/cases/${caseId}/notes`, {
      form: { _csrf: csrf!, note: 'called the user' },
      maxRedirects: 0,
    });
    expect(post.status()).toBe(303);
    // A live event makes the old page refresh its live region in that moment.
    const refreshed = page.waitForResponse((r) => r.url() === page.url() && r.request().resourceType() === 'fetch');
    await ctx.events.publish(ADMINS_ROOM, 'admin:alert', {
      kind: 'test',
      message: 'refresh the page',
      at: new Date().toISOString(),
    });
    await refreshed;
    // The redirected page still shows the post's message.
    await page.goto(new URL(post.headers().location!, base).href);
    await expect(flash(page)).resolves.toEqual(['ok', expect.stringContaining('Note added')]);
    await context.close();
  });
});

describe('user lookup, queues, sign-out and expiry', () => {
  it('finds a user by email: profile, KYC, wallet, timeline, Temporal UI link; bull-board opens with the session; sign out', async () => {
    const user = await registerUser(http, { fullName: 'Lookup Person' });
    await http.post('/wallet/deposit', { amount: '12.34' }, user.token, { 'idempotency-key': randomUUID() });
    const { context, page } = await newPage();
    await signIn(page, admin, '/console/users');
    await page.waitForURL(/\/console\/users$/);
    await shoot(page, 'user-search');
    await page.getByLabel('Email or user id').fill(user.email.toUpperCase());
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(new RegExp(`/console/users/${user.id}$`));
    await expect(page.locator('#profile').textContent()).resolves.toContain('Lookup Person');
    await expect(page.locator('#kyc-status').textContent()).resolves.toContain('NOT_STARTED');
    await expect(page.locator('#wallet').textContent()).resolves.toContain('12.34 USD');
    await expect(page.locator('#user-cases, #h-cases + p').textContent()).resolves.toBe('No AML case.');
    await expect(page.locator('#h-timeline + p').textContent()).resolves.toBe('Nothing recorded.');
    const temporal = await page.locator('#temporal-link').getAttribute('href');
    expect(decodeURIComponent(temporal!)).toContain(`UserId="${user.id}"`);
    await shoot(page, 'user-profile');

    await page.goto(`${base}/console/users?q=nobody-${randomUUID()}@example.test`);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/No user with the email or id/);

    // The same session opens the queue dashboard.
    const board = await page.goto(`${base}/admin/queues`);
    expect(board!.status()).toBe(200);
    expect(page.url()).toBe(`${base}/admin/queues`);
    // The dashboard renders (its scripts load under its CSP) and lists the queues.
    await page.getByText('email-notifications').first().waitFor();
    await shoot(page, 'queues-board');
    // Any other console address is a page, never the API's JSON error.
    const missing = await page.goto(`${base}/console/no-such-screen`);
    expect(missing!.status()).toBe(404);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('No such page.');
    await shoot(page, 'error-page');
    await page.goto(`${base}/console/kyc`);

    // A state-changing request without the CSRF token is refused, as a page.
    const forged = await page.evaluate(async (u) => {
      const r = await fetch(`/console/kyc/${u}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'notes=x',
      });
      return { status: r.status, type: r.headers.get('content-type') };
    }, user.id);
    expect(forged.status).toBe(403);
    expect(forged.type).toMatch(/text\/html/);

    const key = (await sessionKey(context))!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login\?out=1/);
    await expect(page.getByRole('status').filter({ hasText: 'Signed out' }).count()).resolves.toBe(1);
    expect(await ctx.redis.exists(key)).toBe(0);
    await page.goto(`${base}/console/kyc`);
    expect(page.url()).toContain('/console/login');
    const boardAfter = await page.goto(`${base}/admin/queues`);
    expect(page.url()).toContain('/console/login');
    expect(boardAfter!.status()).toBe(200);
    await context.close();
  });

  it('an expired session lands on the sign-in page, for a link and for a form post', async () => {
    const { context, page } = await newPage();
    await signIn(page, admin, '/console/settlements');
    await page.waitForURL(/\/console\/settlements$/);
    // Expiry is the Redis key's TTL: let Redis expire it (once the page's own requests are done).
    await page.locator('body[data-live-connected]').waitFor();
    const key = (await sessionKey(context))!;
    await ctx.redis.pexpire(key, 50);
    await eventually(async () => (await ctx.redis.exists(key)) === 0, 5_000);
    await page.getByRole('link', { name: 'User lookup' }).click();
    await page.waitForURL(/\/console\/login\?next=%2Fconsole%2Fusers&expired=1/);
    await expect(page.getByRole('status').filter({ hasText: 'Your session ended' }).count()).resolves.toBe(1);
    await shoot(page, 'session-expired');

    // A form posted on an expired session: the sign-in page too, never a JSON error.
    await signIn(page, admin, '/console/users');
    await page.waitForURL(/\/console\/users$/);
    await ctx.redis.del((await sessionKey(context))!);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login/);
    expect(await page.locator('body').textContent()).not.toContain('"error"');
    await context.close();
  });
});
