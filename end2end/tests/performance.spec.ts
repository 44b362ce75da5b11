import { expect, test } from '@playwright/test';
import { hydrated, login, USERS } from './helpers';

test('portfolio performance shows the whole book, and picking an approach puts it in the URL', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/portfolios');
  await hydrated(page);
  await expect(page.getByTestId('group-label')).toContainText('The whole firm');
  await expect(page.getByTestId('period-table')).toContainText('SI');
  await expect(page.getByTestId('twrr-si')).toHaveText(/%$/);
  await expect(page.locator('svg.chart__svg').first()).toBeVisible();
  await expect(page.getByTestId('monthly-returns').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('risk-table')).toContainText('Sharpe ratio');
  // The whole book shows how its approaches move together; a row opens that approach.
  const correlation = page.getByTestId('correlation-table');
  await expect(correlation.locator('tbody tr').first()).toBeVisible();
  await expect(correlation.locator('tbody tr').first().locator('td').first()).toHaveText('1.00');

  const picker = page.getByTestId('group-picker');
  const approach = picker.locator('optgroup[label="Investment approaches"] option').first();
  const value = await approach.getAttribute('value');
  const name = (await approach.textContent())!.trim();
  await picker.selectOption(value!);
  await expect(page).toHaveURL(new RegExp(`group=${value}$`));
  await expect(page.getByTestId('group-label')).toContainText(name);

  // A bookmarked URL reproduces the view.
  await page.reload();
  await expect(page.getByTestId('group-label')).toContainText(name);
  await expect(picker).toHaveValue(value!);
});

test('an RM sees their own book and no other RM in the picker', async ({ page }) => {
  await login(page, USERS.rm1);
  await page.goto('/portfolios');
  await expect(page.getByTestId('group-label')).toContainText('Your book');
  const rms = await page.locator('optgroup[label="RM books"] option').allTextContents();
  expect(rms.length).toBeGreaterThan(0);
  expect(rms.length).toBeLessThan(5);
});

test('compliance shows the SEBI disclosure by approach, limit breaches and data quality', async ({ page }) => {
  await login(page, USERS.compliance);
  await page.goto('/compliance');
  await hydrated(page);
  const disclosure = page.getByTestId('disclosure-approach');
  await expect(disclosure.locator('tbody tr').first()).toBeVisible();
  await expect(disclosure.locator('thead')).toContainText('SI');
  await expect(page.getByTestId('breach-count')).toHaveText(/^\d+$/);
  await expect(page.getByRole('heading', { name: 'Data quality' })).toBeVisible();
  // Fees accrued: totals and the portfolios with the largest performance fee accrued.
  await expect(page.getByTestId('perf-fee-accrued')).toHaveText(/₹/);
  await expect(page.getByTestId('fee-table').locator('tbody tr').first()).toBeVisible();
  // A disclosure row opens that approach's performance.
  await disclosure.locator('tbody tr a').first().click();
  await expect(page).toHaveURL(/\/portfolios\?group=approach-\d+$/);
  await expect(page.getByTestId('period-table')).toBeVisible();
});

test('client analytics shows the RM league table, client flows and geography; an RM opens their book', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/clients');
  const league = page.getByTestId('rm-league');
  await expect(league.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('client-flows').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('geo-state').locator('tbody tr').first()).toBeVisible();
  const rm = league.locator('tbody tr a').first();
  const name = (await rm.textContent())!.trim();
  await rm.click();
  await expect(page).toHaveURL(/\/portfolios\?group=rm-\d+$/);
  await expect(page.getByTestId('group-label')).toContainText(name);
});

test('the executive summary switches its trend between months, quarters and years in the URL', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/');
  await expect(page.getByTestId('summary-periods')).toContainText('SI');
  const granularity = page.getByTestId('granularity');
  await granularity.getByRole('link', { name: 'Quarter' }).click();
  await expect(page).toHaveURL(/\?by=quarter$/);
  await page.getByText('The numbers behind the trend').click();
  await expect(page.getByTestId('trend-table').locator('tbody tr').first()).toContainText(/^Q[1-4] FY\d{4}-\d{2}/);
  await page.reload();
  await expect(granularity.getByRole('link', { name: 'Quarter' })).toHaveAttribute('aria-current', 'true');
});
