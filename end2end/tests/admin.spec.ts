import { test as base, expect, Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEMO_PASSWORD, USERS, contextOptions, hydrated, isTablet, snap } from './helpers';

/**
 * The admin console, end to end: a user's whole life (invitation, password, role change,
 * deactivation, lockout, two-factor reset, reset link), teams, client assignment, branding, the
 * two-factor policy, API clients and signing keys, and what a non-admin gets.
 *
 * The tests run in order and share one invited user. The administrator signs in once per
 * project (worker); the stored session is reused, which keeps the number of sign-ins (rate
 * limited per address) low.
 */

const test = base.extend<{}, { adminState: string }>({
  adminState: [
    async ({ browser }, use, workerInfo) => {
      const file = `${workerInfo.project.outputDir}/admin-state-${workerInfo.project.name}.json`;
      const context = await browser.newContext({ ...contextOptions(workerInfo.project.use), storageState: undefined });
      const page = await context.newPage();
      await signIn(page, USERS.admin);
      await context.storageState({ path: file });
      await context.close();
      await use(file);
    },
    { scope: 'worker' },
  ],
  storageState: ({ adminState }, use) => use(adminState),
});

test.describe.configure({ mode: 'serial' });

async function freshContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  return browser.newContext({ ...contextOptions(testInfo.project.use), storageState: undefined });
}

/**
 * The server allows 10 sign-in attempts per minute from one address (a burst of 10, then one
 * every 6 s). These tests sign in often (five failures on purpose among them), so they keep
 * the limiter's arithmetic and, at the end, wait until the budget is whole again: the specs
 * that run next on the same server start with the full allowance.
 */
let limiterBusyUntil = 0;
function countSignInAttempt() {
  limiterBusyUntil = Math.max(limiterBusyUntil, Date.now()) + 6_000;
}

/**
 * Submits the sign-in form; returns the error shown, or null once signed in. Waits and tries
 * again when the per-address sign-in rate limit answers instead.
 */
async function submitLogin(page: Page, email: string, password: string): Promise<string | null> {
  for (let attempt = 0; attempt < 6; attempt++) {
    countSignInAttempt();
    await page.goto('/login');
    await hydrated(page);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.locator('.alert--error');
    await Promise.race([
      page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 20_000 }),
      error.waitFor({ timeout: 20_000 }),
    ]).catch(() => {});
    if (!new URL(page.url()).pathname.startsWith('/login')) {
      await hydrated(page);
      return null;
    }
    const text = (await error.textContent()) ?? '';
    if (text.includes('Too many sign-in attempts')) {
      await page.waitForTimeout(7_000);
      continue;
    }
    return text;
  }
  throw new Error(`sign-in as ${email} stayed rate limited`);
}

async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  const error = await submitLogin(page, email, password);
  expect(error, `sign-in as ${email}`).toBeNull();
}

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret, as an authenticator app makes it. */
function totp(secretBase32: string, now = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of secretBase32.toUpperCase().replace(/[\s=]/g, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const h = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const offset = h[h.length - 1] & 0xf;
  return ((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
/** A monogram logo, as firms often have them. */
const SVG = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    '<rect width="64" height="64" rx="14" fill="#b4237a"/>' +
    '<text x="32" y="43" font-family="Georgia, serif" font-size="30" font-weight="700" fill="#fff" text-anchor="middle">EC</text></svg>',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

async function openAdmin(page: Page, tab: string) {
  await page.goto(`/admin?tab=${tab}`);
  await hydrated(page);
}

/** Opens a `<details>` card (a no-op if it is open already). */
async function expand(page: Page, testId: string) {
  const card = page.getByTestId(testId);
  if (!(await card.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await card.locator('summary').click();
  }
}

/** Opens the manage panel of a user from the users table. */
async function manage(page: Page, email: string) {
  await openAdmin(page, 'users');
  const row = page.getByTestId('user-row').filter({ hasText: email });
  await row.getByRole('link').first().click();
  const panel = page.getByTestId('manage-user');
  await expect(panel).toContainText(email);
  return { row, panel };
}

// The invited user, shared by the tests that follow.
const person = {
  email: '',
  name: '',
  password: 'Kestrel-Harbour-2048',
  rm: '',
};
let userContext: BrowserContext;
let userPage: Page;

test.afterAll(async () => {
  await userContext?.close();
  const wait = limiterBusyUntil - Date.now();
  if (wait > 0) {
    test.setTimeout(wait + 30_000);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
});

test('an admin invites an RM user, who chooses a password and signs in', async ({ page, browser }, testInfo) => {
  const stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  person.email = `e2e.rm.${stamp}@example.in`;
  person.name = `Test Banker ${testInfo.project.name === 'tablet' ? 'Tablet' : 'Desktop'}`;

  await openAdmin(page, 'users');
  await expect(page.getByRole('link', { name: 'Users', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('users-table')).toContainText(USERS.admin);
  await snap(page, testInfo, 'admin-users');

  await expand(page, 'invite-card');
  const form = page.getByTestId('invite-form');
  await form.getByLabel('E-mail').fill(person.email);
  await form.getByLabel('Name').fill(person.name);
  await form.getByLabel('Role', { exact: true }).selectOption('rm');
  // Without an RM the server says what is missing.
  await form.getByRole('button', { name: 'Create user and invitation link' }).click();
  await expect(page.getByRole('alert')).toContainText('Choose the relationship manager');

  const free = form.locator('select[name="rm_id"] option:not([disabled]):not([value=""])').first();
  person.rm = ((await free.textContent()) ?? '').split(' · ')[0].trim();
  await form.getByLabel('Relationship manager', { exact: true }).selectOption((await free.getAttribute('value'))!);
  await expect(form.getByText('Strategies managed')).toBeHidden();
  await form.getByRole('button', { name: 'Create user and invitation link' }).click();
  const link = page.getByTestId('invite-link');
  await expect(link).toBeVisible();
  const url = await link.inputValue();
  expect(url).toMatch(/^https?:\/\/[^/]+\/invite\/[0-9a-f]{64}$/);
  const row = page.getByTestId('user-row').filter({ hasText: person.email });
  await expect(row).toContainText('Invitation pending');
  await expect(row).toContainText(person.rm);
  await snap(page, testInfo, 'admin-users-invited');

  // The same address twice is refused with a clear message.
  await expand(page, 'invite-card');
  await form.getByLabel('E-mail').fill(person.email.toUpperCase());
  await form.getByLabel('Name').fill('Someone Else');
  await form.getByLabel('Role', { exact: true }).selectOption('compliance');
  await form.getByRole('button', { name: 'Create user and invitation link' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');

  // The invitation, opened in a browser that is not signed in.
  userContext = await freshContext(browser, testInfo);
  userPage = await userContext.newPage();
  await userPage.goto(url);
  await hydrated(userPage);
  await expect(userPage.getByText(person.email)).toBeVisible();
  await userPage.getByLabel('Password', { exact: true }).fill(person.password);
  await userPage.getByLabel('Password again').fill(person.password);
  await userPage.getByRole('button', { name: 'Set password' }).click();
  await expect(userPage).toHaveURL(/\/login/);
  await signIn(userPage, person.email, person.password);
  await expect(userPage.getByTestId('user-menu')).toContainText(person.name);
  // An RM has no administration.
  await expect(userPage.locator('nav a[href="/admin"]')).toHaveCount(0);
});

test('an admin changes the role, deactivates (the session ends) and reactivates', async ({ page }, testInfo) => {
  const { panel, row } = await manage(page, person.email);
  await snap(page, testInfo, 'admin-users-manage');
  const edit = panel.getByTestId('edit-user-form');
  // A portfolio manager needs strategies: the form shows them and the server insists.
  await edit.getByLabel('Role', { exact: true }).selectOption('pm');
  await expect(edit.getByLabel('Relationship manager', { exact: true })).toBeHidden();
  await expect(edit.getByText('Strategies managed')).toBeVisible();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByRole('alert')).toContainText('Tick at least one strategy');
  const strategy = edit.locator('label.check').first();
  const strategyName = ((await strategy.locator('span').first().textContent()) ?? '').split(' · ')[0].trim();
  await strategy.locator('input').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Portfolio Manager role' })).toBeVisible();
  await expect(row).toContainText('Portfolio Manager');
  await expect(row).toContainText(strategyName);

  await panel.getByTestId('edit-user-form').getByLabel('Role', { exact: true }).selectOption('compliance');
  await panel.getByTestId('edit-user-form').getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Compliance Officer role' })).toBeVisible();
  await expect(row).toContainText('Compliance Officer');

  // The user's next request carries the new role: compliance sees the audit trail.
  await userPage.goto('/');
  await hydrated(userPage);
  await expect(userPage.locator('nav a[href="/audit"]')).toHaveCount(1);

  await panel.getByRole('button', { name: 'Deactivate' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Deactivated:' })).toBeVisible();
  await expect(row).toContainText('Deactivated');

  // Their next request ends the session.
  await userPage.goto('/clients');
  await expect(userPage).toHaveURL(/\/login/);

  await page.getByTestId('manage-user').getByRole('button', { name: 'Reactivate' }).click();
  await expect(page.getByTestId('manage-user').getByRole('status').filter({ hasText: 'Reactivated' })).toBeVisible();
  await expect(row).toContainText('Active');
});

test('five wrong passwords lock sign-in from that network until an admin unlocks it', async ({ page }) => {
  let message: string | null = null;
  for (let i = 0; i < 5; i++) {
    message = await submitLogin(userPage, person.email, `wrong-password-${i}`);
    expect(message).not.toBeNull();
  }
  expect(message).toContain('locked');

  const { panel, row } = await manage(page, person.email);
  await expect(row).toContainText('Locked');
  await panel.getByRole('button', { name: 'Unlock sign-in' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Unlocked' })).toBeVisible();
  await expect(row).not.toContainText('Locked');

  await signIn(userPage, person.email, person.password);
});

test('an admin resets a user’s two-factor authentication and issues a reset link', async ({ page }) => {
  // The user turns on two-factor authentication.
  await userPage.goto('/account/security');
  await hydrated(userPage);
  await userPage.getByTestId('mfa-begin').click();
  const secret = (await userPage.getByTestId('totp-secret').textContent()) ?? '';
  await userPage.getByLabel('Code from the app').fill(totp(secret));
  await userPage.getByRole('button', { name: 'Turn on' }).click();
  await expect(userPage.getByTestId('recovery-codes')).toBeVisible();

  const { panel, row } = await manage(page, person.email);
  await expect(row.locator('td').nth(4)).toHaveText('On');
  await panel.getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Two-factor authentication reset' })).toBeVisible();
  await expect(row.locator('td').nth(4)).toHaveText('Off');

  await userPage.goto('/account/security');
  await hydrated(userPage);
  await expect(userPage.getByTestId('mfa-status')).toContainText('Off');

  // A password-reset link leads to the "choose your password" page for this user.
  await panel.getByRole('button', { name: 'Issue password-reset link' }).click();
  const reset = await page.getByTestId('reset-link').inputValue();
  expect(reset).toContain('/invite/');
  const other = await userPage.context().newPage();
  await other.goto(reset);
  await expect(other.getByText(person.email)).toBeVisible();
  await other.close();
});

test('teams: create a team, give it a lead, move an RM back', async ({ page }, testInfo) => {
  await openAdmin(page, 'teams');
  const name = `E2E Team ${testInfo.project.name} ${Date.now().toString(36)}`;
  await page.getByTestId('create-team-form').getByLabel('New team name').fill(name);
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('status').first()).toContainText(`Team ${name} created`);
  const teamRow = page.getByTestId('teams-table').locator('tr').filter({ hasText: name });
  await expect(teamRow).toContainText('0');

  // An RM without a Hub user who leads no team becomes the new team's lead.
  const rmName = await page.getByTestId('rms-table').evaluate((table) => {
    for (const row of Array.from(table.querySelectorAll('tbody tr'))) {
      const cells = row.querySelectorAll('td');
      const leads = Array.from(cells[0].querySelectorAll('.badge')).some((b) => b.textContent === 'lead');
      if (!leads && cells[3].textContent?.trim() === '—') {
        return cells[0].querySelector('.rm-name')?.textContent?.trim() ?? '';
      }
    }
    return '';
  });
  expect(rmName).not.toBe('');
  const rmRow = page.getByTestId('rms-table').locator('tbody tr').filter({ hasText: rmName });
  const teamSelect = rmRow.locator('select[name="team_id"]');
  const original = await teamSelect.inputValue();
  await teamRow.locator('select[name="lead_rm_id"]').selectOption({ label: rmName });
  await teamRow.getByRole('button', { name: 'Set lead' }).click();
  await expect(page.getByText(`${rmName} now leads ${name}`)).toBeVisible();
  await expect(teamRow.locator('td').last()).toHaveText('1');
  await expect(rmRow).toContainText('lead');
  await snap(page, testInfo, 'admin-teams');

  // Moving the RM back to their team ends the lead role.
  await rmRow.locator('select[name="team_id"]').selectOption(original);
  await rmRow.getByRole('button', { name: 'Move' }).click();
  await expect(page.getByText('They no longer lead their old team')).toBeVisible();
  await expect(teamRow.locator('td').last()).toHaveText('0');
});

test('client assignment: search, reassign, history, and back', async ({ page }, testInfo) => {
  const list = await page.request.get('/api/v1/clients?page_size=1&sort=name');
  expect(list.status()).toBe(200);
  const client = (await list.json()).items[0];
  await openAdmin(page, 'assignments');
  await page.getByTestId('client-search').fill(client.name.slice(0, 6));
  await page.getByTestId('client-hits').getByRole('link', { name: client.name }).first().click();
  const panel = page.getByTestId('client-assignment');
  await expect(panel.getByRole('heading', { name: client.name })).toBeVisible();
  const current = (await panel.getByTestId('current-rm').textContent())?.trim();
  expect(current).toBe(client.rm_name ?? 'none');

  const select = panel.getByLabel('Assign to');
  const originalValue = await select.inputValue();
  const other = await select.locator(`option:not([value=""]):not([value="${originalValue}"])`).first();
  const otherName = ((await other.textContent()) ?? '').split(' · ')[0].trim();
  await select.selectOption((await other.getAttribute('value'))!);
  await panel.getByRole('button', { name: 'Assign' }).click();
  await expect(panel.getByRole('status')).toContainText(`now looked after by ${otherName}`);
  await expect(panel.getByTestId('current-rm')).toHaveText(otherName);
  await expect(panel.getByTestId('assignment-history').locator('tbody tr').first()).toContainText(otherName);
  await snap(page, testInfo, 'admin-assignments');

  // Back to where it was, so the other tests see the demo data as loaded.
  await panel.getByLabel('Assign to').selectOption(originalValue);
  await panel.getByRole('button', { name: 'Assign' }).click();
  await expect(panel.getByTestId('current-rm')).toHaveText(current!);
});

test('branding: name, accent colour and logo show in the frame', async ({ page }, testInfo) => {
  await openAdmin(page, 'branding');
  const form = page.getByTestId('branding-form');
  const nameInput = form.getByLabel('Firm name');
  const before = {
    name: await nameInput.inputValue(),
    primary: await form.locator('input[name="primary_colour"]').inputValue(),
    accent: await form.locator('input[name="accent_colour"]').inputValue(),
  };
  const firm = `E2E Capital ${testInfo.project.name}`;
  await nameInput.fill(firm);
  await form.locator('input[name="accent_colour"]').fill('#b4237a');
  await form.getByRole('button', { name: 'Save branding' }).click();
  await expect(form.getByRole('status')).toContainText('Branding saved');
  const brand = page.getByRole('navigation', { name: 'Sections' }).getByTestId('firm-name');
  await expect(brand).toHaveText(firm);

  // After a reload: the sidebar and the colours come from the server.
  await page.reload();
  await hydrated(page);
  await expect(brand).toHaveText(firm);
  await expect(page.locator('.frame')).toHaveAttribute('style', /--brand-accent:#b4237a/);
  await expect(page.getByRole('button', { name: 'Save branding' })).toHaveCSS('background-color', 'rgb(180, 35, 122)');

  // A logo: a GIF is refused by its bytes (whatever its name), an SVG is taken.
  const logoForm = page.getByTestId('logo-form');
  await logoForm.locator('input[type="file"]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: GIF });
  await logoForm.getByRole('button', { name: 'Upload logo' }).click();
  await expect(page.getByTestId('logo-message')).toContainText('PNG, JPEG or SVG');
  await hydrated(page);
  await page.getByTestId('logo-form').locator('input[type="file"]').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: SVG });
  await page.getByTestId('logo-form').getByRole('button', { name: 'Upload logo' }).click();
  await expect(page.getByTestId('logo-message')).toContainText('Logo uploaded');
  await expect(page.getByTestId('logo-preview')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sections' }).getByTestId('firm-logo')).toHaveCount(1);
  await hydrated(page);
  await snap(page, testInfo, 'admin-branding');

  // Put everything back for the other tests.
  await page.getByRole('button', { name: 'Remove logo' }).click();
  await expect(page.getByTestId('logo-message')).toContainText('Logo removed');
  await hydrated(page);
  const again = page.getByTestId('branding-form');
  await again.getByLabel('Firm name').fill(before.name);
  await again.locator('input[name="primary_colour"]').fill(before.primary);
  await again.locator('input[name="accent_colour"]').fill(before.accent);
  await again.getByRole('button', { name: 'Save branding' }).click();
  await expect(again.getByRole('status')).toContainText('Branding saved');
  await expect(brand).toHaveText(before.name);
});

test('security: two-factor required or optional per role', async ({ page }, testInfo) => {
  await openAdmin(page, 'security');
  const row = page.getByTestId('policy-table').locator('tr').filter({ hasText: 'Portfolio Manager' });
  await expect(row).toContainText('Optional');
  await row.getByRole('button', { name: 'Require' }).click();
  await expect(row).toContainText('Required');
  await expect(page.getByRole('status')).toContainText('now required for Portfolio Managers');
  await snap(page, testInfo, 'admin-security');
  await row.getByRole('button', { name: 'Make optional' }).click();
  await expect(row).toContainText('Optional');
});

test('API access: a client secret shown once works at the token endpoint; keys rotate and retire', async ({ page, request }, testInfo) => {
  await openAdmin(page, 'api');
  const name = `E2E warehouse ${testInfo.project.name} ${Date.now().toString(36)}`;
  await expand(page, 'api-create-card');
  const form = page.getByTestId('api-create-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Role', { exact: true }).selectOption('compliance');
  await form.getByRole('button', { name: 'Create client' }).click();
  const created = page.getByTestId('new-api-client');
  await expect(created).toBeVisible();
  const clientId = await page.getByTestId('api-client-id').inputValue();
  const secret = await page.getByTestId('api-client-secret').inputValue();
  expect(secret).toMatch(/^pmss_[0-9a-f]{64}$/);
  const curl = await page.getByTestId('api-curl').inputValue();
  expect(curl).toContain('/api/v1/auth/token');
  expect(curl).toContain(clientId);
  await expect(page.getByTestId('api-clients-table')).toContainText(name);
  await snap(page, testInfo, 'admin-api');

  const token = async () => {
    const res = await request.post('/api/v1/auth/token', { data: { client_id: clientId, client_secret: secret } });
    expect(res.status()).toBe(200);
    return (await res.json()).access_token as string;
  };
  const me = (t: string) => request.get('/api/v1/me', { headers: { authorization: `Bearer ${t}` } });
  const first = await token();
  const answer = await me(first);
  expect(answer.status()).toBe(200);
  expect((await answer.json()).user.role).toBe('compliance');

  // The secret is not shown again.
  await page.reload();
  await hydrated(page);
  expect(await page.content()).not.toContain(secret);

  // Rotating keeps older tokens working; retiring the older keys ends them.
  await page.getByRole('button', { name: 'Rotate: new current key' }).click();
  await expect(page.getByRole('status')).toContainText('New signing key');
  expect((await me(first)).status()).toBe(200);
  await page.getByRole('button', { name: 'Retire older keys' }).click();
  await expect(page.getByRole('status').last()).toContainText('Retired');
  expect((await me(first)).status()).toBe(401);
  const second = await token();
  expect((await me(second)).status()).toBe(200);

  // Revoking the client ends its tokens.
  const row = page.getByTestId('api-clients-table').locator('tr').filter({ hasText: name });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  expect((await me(second)).status()).toBe(401);
});

test('the API reference opens from the API tab and tries a call with the session', async ({ page }, testInfo) => {
  await openAdmin(page, 'api');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.getByTestId('api-reference').click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.locator('.info .title')).toContainText('PMS Intelligence Hub API');
  const me = page.locator('.opblock').filter({ has: page.locator('[data-path="/api/v1/me"]') });
  await me.locator('.opblock-summary').first().click();
  await me.getByRole('button', { name: 'Try it out' }).click();
  await me.getByRole('button', { name: 'Execute' }).click();
  await expect(me.locator('.live-responses-table')).toContainText(USERS.admin);
  await snap(page, testInfo, 'api-reference');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    page.viewportSize()!.width,
  );
  expect(errors).toEqual([]);
});

test('webhooks: a receiver gets a signed test event and the delivery log shows it', async ({ page }, testInfo) => {
  // A receiver on this machine, as another system of the firm would run one.
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    await openAdmin(page, 'webhooks');
    const name = `E2E ERP ${testInfo.project.name} ${Date.now().toString(36)}`;
    await expand(page, 'webhook-create-card');
    const form = page.getByTestId('webhook-create-form');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Address').fill(url);
    await form.getByRole('button', { name: 'Add receiver' }).click();
    await expect(page.getByTestId('new-webhook')).toBeVisible();
    const secret = await page.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    // The form starts blank again for the next receiver.
    await expect(form.getByLabel('Name')).toHaveValue('');
    await expect(form.getByLabel('Address')).toHaveValue('');
    const row = page.getByTestId('webhooks-table').locator('tr').filter({ hasText: name });
    await row.getByRole('button', { name: 'Send test' }).click();
    await expect(page.getByRole('status').last()).toContainText('queued');
    await expect.poll(() => got.length, { timeout: 15_000 }).toBe(1);
    const { headers, body } = got[0];
    const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(signed).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(body).type).toBe('webhook.test');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const entry = page.getByTestId('webhook-log').locator('tr').filter({ hasText: name }).first();
    await expect(entry).toContainText('Delivered');
    await expect(entry).toContainText('HTTP 204');
    await snap(page, testInfo, 'admin-webhooks');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      page.viewportSize()!.width,
    );
    await row.getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('webhooks-table')).not.toContainText(name);
  } finally {
    receiver.close();
  }
});

test('a relationship manager gets no administration', async ({ browser }, testInfo) => {
  const context = await freshContext(browser, testInfo);
  const page = await context.newPage();
  await signIn(page, USERS.rm1);
  await expect(page.locator('nav a[href="/admin"]')).toHaveCount(0);
  await page.goto('/admin?tab=users');
  await hydrated(page);
  await expect(page.getByTestId('admin-forbidden')).toContainText('does not allow');
  await expect(page.getByTestId('users-table')).toHaveCount(0);
  await expect(page.getByText(USERS.admin)).toHaveCount(0);
  // The server functions refuse too, whatever the page shows.
  const origin = new URL(page.url()).origin;
  const users = await page.request.post('/api/admin/users', { headers: { origin }, form: {} });
  expect(users.status()).toBe(403);
  const invite = await page.request.post('/api/admin/users/invite', {
    headers: { origin },
    form: { email: 'intruder@example.in', display_name: 'Intruder', role: 'admin' },
  });
  expect(invite.status()).toBe(403);
  const logo = await page.request.post('/admin/branding/logo', {
    headers: { origin },
    multipart: { logo: { name: 'logo.png', mimeType: 'image/png', buffer: PNG } },
  });
  expect(logo.status()).toBe(403);
  if (isTablet(testInfo)) {
    await snap(page, testInfo, 'admin-forbidden');
  }
  await context.close();
});
