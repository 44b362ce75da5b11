import { test, expect } from '@playwright/test';
import { DEMO_PASSWORD, USERS, hydrated, login, snap } from './helpers';
import { totp } from './totp';

test('pages need a signed-in user; the login page is server-rendered', async ({ page, request }) => {
  const res = await request.get('/clients', { maxRedirects: 0 });
  expect(res.status()).toBe(303);
  expect(res.headers()['location']).toBe('/login?next=/clients');
  const html = await (await request.get('/login')).text();
  expect(html).toContain('Sign in');
  await page.goto('/clients');
  await expect(page).toHaveURL(/\/login\?next=\/clients$/);
});

test('signing in shows the user, wrong passwords get one answer for known and unknown addresses', async ({ page }, testInfo) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(USERS.compliance);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const wrongKnown = await page.getByRole('alert').innerText();
  await page.getByLabel('E-mail').fill(`nobody-${testInfo.project.name}@example.in`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(wrongKnown);
  expect(wrongKnown).toContain('not correct');
  await snap(page, testInfo, 'login-error');

  await login(page, USERS.compliance);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-menu')).toContainText('Omkar');
  await page.getByTestId('user-menu').locator('summary').click();
  await expect(page.getByTestId('user-menu')).toContainText('Compliance Officer');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('after repeated failures from one network the address is locked there, whether or not it has an account', async ({ page }, testInfo) => {
  const ghost = `ghost-${testInfo.project.name}@example.in`;
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(ghost);
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Password').fill(`wrong-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  }
  await expect(page.getByRole('alert')).toContainText('locked');
  await expect(page.getByRole('alert')).toContainText('administrator');
  await snap(page, testInfo, 'login-locked');
});

test('two-factor enrolment, then signing in with a code and with a recovery code', async ({ page, browser }, testInfo) => {
  // Each viewport enrols a different user, so the runs do not interfere.
  const email = testInfo.project.name === 'desktop' ? USERS.rm2 : USERS.lead;
  await login(page, email);
  await page.goto('/account/security');
  await hydrated(page);
  await expect(page.getByTestId('mfa-status')).toContainText('Off');
  await page.getByTestId('mfa-begin').click();
  const secret = (await page.getByTestId('totp-secret').innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.locator('.totp-setup__qr svg')).toBeVisible();
  await snap(page, testInfo, 'totp-enrol');
  await page.getByLabel('Code from the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = page.getByTestId('recovery-codes').locator('code');
  await expect(codes).toHaveCount(10);
  const recovery = await codes.first().innerText();
  await expect(page.getByTestId('mfa-status')).toContainText('On');

  // A new browser: password, then the code from the app.
  const fresh = await browser.newContext();
  const second = await fresh.newPage();
  await second.goto('/login');
  await hydrated(second);
  await second.getByLabel('E-mail').fill(email);
  await second.getByLabel('Password').fill(DEMO_PASSWORD);
  await second.getByRole('button', { name: 'Sign in' }).click();
  await expect(second).toHaveURL(/\/login\/verify/);
  await hydrated(second);
  await second.getByLabel('Code').fill('000000');
  await second.getByRole('button', { name: 'Verify' }).click();
  await expect(second.getByRole('alert')).toContainText('not valid');
  await second.getByLabel('Code').fill(totp(secret));
  await second.getByRole('button', { name: 'Verify' }).click();
  await expect(second).toHaveURL(/\/$/);
  await expect(second.getByTestId('user-menu')).toBeVisible();
  await fresh.close();

  // And once more with a recovery code instead of the app.
  const third = await (await browser.newContext()).newPage();
  await third.goto('/login');
  await hydrated(third);
  await third.getByLabel('E-mail').fill(email);
  await third.getByLabel('Password').fill(DEMO_PASSWORD);
  await third.getByRole('button', { name: 'Sign in' }).click();
  await expect(third).toHaveURL(/\/login\/verify/);
  await hydrated(third);
  await third.getByLabel('Code').fill(recovery);
  await third.getByRole('button', { name: 'Verify' }).click();
  await expect(third).toHaveURL(/\/$/);
});
