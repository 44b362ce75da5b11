import { Browser, expect, Page, test, TestInfo } from '@playwright/test';
import { contextOptions, login, openSection, settled, snap, USERS } from './helpers';

/** A signed-in page of `email` in a browser context of its own. */
async function signedIn(browser: Browser, testInfo: TestInfo, email: string): Promise<Page> {
  const context = await browser.newContext(contextOptions(testInfo.project.use));
  const page = await context.newPage();
  await login(page, email);
  return page;
}

/** Reloads `path` until `check` passes (the server evaluates the rules every few seconds). */
async function eventually(page: Page, path: string, check: () => Promise<void>) {
  await expect(async () => {
    await page.goto(path);
    await settled(page);
    await check();
  }).toPass({ timeout: 30_000, intervals: [1_000] });
}

test('an RM acknowledges an alert of their book; compliance resolves it with a note', async ({ page, browser }, testInfo) => {
  await login(page, USERS.rm1);
  await openSection(page, testInfo, 'Compliance alerts');
  await expect(page).toHaveURL(/\/alerts$/);
  await settled(page);
  await expect(page.getByRole('heading', { name: 'Compliance alerts' })).toBeVisible();
  // The demo data breaches the default rules somewhere in every book.
  await eventually(page, '/alerts', async () => {
    await expect(page.getByTestId('alert-row').first()).toBeVisible();
  });
  // RMs read the rules but do not set them.
  await expect(page.getByTestId('alert-rule')).toHaveCount(6);
  await expect(page.getByTestId('rule-save')).toHaveCount(0);
  await expect(page.getByTestId('alert-resolve')).toHaveCount(0);
  await snap(page, testInfo, 'alerts-rm');

  const row = page.getByTestId('alert-row').first();
  const id = await row.getAttribute('data-alert');
  await row.getByTestId('alert-acknowledge').click();
  await expect(page.locator(`[data-alert="${id}"]`)).toHaveCount(0);
  await page.getByTestId('alerts-tab-acknowledged').click();
  await expect(page).toHaveURL(/status=acknowledged/);
  await expect(page.locator(`[data-alert="${id}"]`)).toContainText('Acknowledged by');

  // Compliance resolves it: a note is required, and kept with the alert.
  const officer = await signedIn(browser, testInfo, USERS.compliance);
  await officer.goto('/alerts?status=acknowledged');
  await settled(officer);
  const acknowledged = officer.locator(`[data-alert="${id}"]`);
  await acknowledged.getByText('Resolve…').click();
  await acknowledged.getByTestId('alert-note').fill('Position trimmed below the limit on 3 Dec');
  await acknowledged.getByTestId('alert-resolve').click();
  await expect(officer.locator(`[data-alert="${id}"]`)).toHaveCount(0);
  await officer.getByTestId('alerts-tab-resolved').click();
  await expect(officer.locator(`[data-alert="${id}"]`)).toContainText('Position trimmed below the limit on 3 Dec');
  await expect(officer.locator(`[data-alert="${id}"]`)).toContainText('Resolved by');
  await snap(officer, testInfo, 'alerts-compliance');
  await officer.context().close();
});

test('compliance changes a rule and the alerts follow it within seconds; the change is audited', async ({ browser }, testInfo) => {
  const officer = await signedIn(browser, testInfo, USERS.compliance);
  const drawdown = '/alerts?status=open&kind=drawdown';
  await officer.goto('/alerts');
  await settled(officer);
  const rule = officer.locator('[data-testid="alert-rule"][data-kind="drawdown"]');
  const before = await rule.getByTestId('rule-threshold').inputValue();
  // Far beyond any drawdown in the demo data: every drawdown alert is cleared.
  await rule.getByTestId('rule-threshold').fill('95');
  await rule.getByTestId('rule-save').click();
  await expect(rule).toContainText('more than 95% below its peak');
  await expect(rule).toContainText('Changed by');
  await eventually(officer, drawdown, async () => {
    await expect(officer.getByTestId('alert-row')).toHaveCount(0);
    await expect(officer.getByText('No open alerts')).toBeVisible();
  });
  // Out of range: refused with the range, nothing changed.
  const again = officer.locator('[data-testid="alert-rule"][data-kind="drawdown"]');
  await again.getByTestId('rule-threshold').evaluate((input: HTMLInputElement) => input.removeAttribute('max'));
  await again.getByTestId('rule-threshold').fill('150');
  await again.getByTestId('rule-save').click();
  await expect(officer.getByRole('alert')).toContainText('between 0.1% and 100%');
  // Back as it was.
  await again.getByTestId('rule-threshold').fill(before);
  await again.getByTestId('rule-save').click();
  await expect(again).toContainText(`more than ${before}% below its peak`);
  await snap(officer, testInfo, 'alerts-rules');
  await officer.context().close();

  const admin = await signedIn(browser, testInfo, USERS.admin);
  await admin.goto('/audit?action=alert.');
  await settled(admin);
  await expect(admin.locator('code', { hasText: 'alert.rule_changed' }).first()).toBeVisible();
  await admin.context().close();
});
