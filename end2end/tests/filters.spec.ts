import { expect, Page, test } from '@playwright/test';
import { hydrated, login, USERS } from './helpers';

/** The executive summary's AUM, to the paisa (the KPI's title). */
async function aum(page: Page) {
  const value = page.getByTestId('kpis').locator('.kpi').first().locator('.kpi__value');
  await expect(value).toHaveAttribute('title', /₹/);
  return (await value.getAttribute('title'))!;
}

/** Opens the filter panel and returns its form. */
async function openFilters(page: Page) {
  const panel = page.getByTestId('filters');
  if ((await panel.getAttribute('open')) === null) {
    await panel.locator('summary').click();
  }
  return page.getByTestId('filter-form');
}

test('a filter applied on the executive summary narrows it, shows a chip, survives a reload and clears', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/');
  await hydrated(page);
  const everything = await aum(page);

  const form = await openFilters(page);
  const risk = form.locator('select[name="risk"]');
  const option = risk.locator('option').nth(1);
  const value = (await option.getAttribute('value'))!;
  await risk.selectOption(value);
  await page.getByTestId('filter-apply').click();

  await expect(page).toHaveURL(new RegExp(`\\?risk=${encodeURIComponent(value).replace(/%20/g, '\\+')}$`));
  const chips = page.getByTestId('filter-chips');
  await expect(chips).toContainText(`Risk profile: ${value}`);
  await expect.poll(() => aum(page)).not.toBe(everything);
  const narrowed = await aum(page);
  // The risk-profile mix now holds only that profile.
  await expect(page.locator('section', { hasText: 'Risk-profile mix' }).locator('tbody tr')).toHaveCount(1);

  // A bookmark (reload) reproduces the view; the back button returns to the whole book.
  await page.reload();
  await hydrated(page);
  expect(await aum(page)).toBe(narrowed);
  await expect(chips).toContainText(value);
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(() => aum(page)).toBe(everything);
  await page.goForward();
  await expect.poll(() => aum(page)).toBe(narrowed);

  // The chip clears its own criterion.
  await chips.getByRole('link', { name: `Remove filter Risk profile: ${value}` }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('filter-chips')).toHaveCount(0);
  await expect.poll(() => aum(page)).toBe(everything);
});

test('a mix row drills down into the filtered view, and the trend keeps the filter', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/?fy=2024-25');
  await hydrated(page);
  await expect(page.getByTestId('filter-chips')).toContainText('Period: FY2024-25');
  await expect(page.getByTestId('summary-as-of')).toContainText('FY2024-25');
  // A past year shows the book as it stood at the year's last valuation.
  await expect(page.locator('.kpi__label').first()).toHaveText(/^AUM at \d{2} Mar 2025$/);
  const strategies = page.locator('section', { hasText: 'Strategy mix' });
  const first = strategies.locator('tbody tr a').first();
  const name = (await first.textContent())!.trim();
  await first.click();
  await expect(page).toHaveURL(/\?fy=2024-25&strategy=\d+$/);
  await expect(page.getByTestId('filter-chips')).toContainText('Strategy:');
  await expect(strategies.locator('tbody tr')).toHaveCount(1);
  await expect(strategies.locator('tbody tr')).toContainText(name);
  // Every trend point lies in the chosen year; the granularity switch keeps the filter.
  await page.getByTestId('granularity').getByRole('link', { name: 'Quarter' }).click();
  await expect(page).toHaveURL(/fy=2024-25&strategy=\d+&by=quarter$/);
  const quarterCells = page.getByTestId('trend-table').locator('tbody tr td:first-child');
  await expect(quarterCells.first()).toHaveText(/FY2024-25$/);
  const quarters = await quarterCells.allTextContents();
  expect(quarters.length).toBeGreaterThan(0);
  expect(quarters.every((q) => q.endsWith('FY2024-25'))).toBe(true);
  // A bar of the net-flows chart opens its own quarter, by month.
  await page.locator('a.chart__link').first().click();
  await expect(page).toHaveURL(/\?from=2024-04-01&to=2024-06-30&strategy=\d+$/);
  await expect(page.getByTestId('filter-chips')).toContainText('Period: 01 Apr 2024 – 30 Jun 2024');
  // The chip shows before the trend re-renders: wait for the table's own rows.
  await expect(page.getByTestId('trend-table').locator('tbody tr td:first-child')).toHaveText(['Jun 2024', 'May 2024', 'Apr 2024']);
});

test('the client list narrows to a state from the geography table and to an AUM range from the form', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/clients');
  await hydrated(page);
  const all = Number((await page.getByTestId('client-count').textContent())!.replace(/\D/g, ''));
  const state = page.getByTestId('geo-state').locator('tbody tr a').first();
  const place = (await state.textContent())!.trim();
  await state.click();
  await expect(page).toHaveURL(/\/clients\?state=/);
  await expect(page.getByTestId('filter-chips')).toContainText(`State: ${place}`);
  await expect.poll(async () => Number((await page.getByTestId('client-count').textContent())!.replace(/\D/g, ''))).toBeLessThan(all);

  const form = await openFilters(page);
  await form.locator('input[name="aum_min"]').fill('500');
  await page.getByTestId('filter-apply').click();
  await expect(page).toHaveURL(/aum_min=500/);
  await expect(page.getByTestId('filter-chips')).toContainText('Client AUM: ≥ ₹500 L');
  // Every client shown holds at least ₹5 crore (500 lakh).
  const titles = await page.getByTestId('client-table').locator('tbody tr td:nth-child(5)').evaluateAll((cells) =>
    cells.map((c) => c.getAttribute('title') ?? ''),
  );
  for (const title of titles) {
    expect(Number(title.replace(/[^\d.]/g, ''))).toBeGreaterThanOrEqual(50_000_000);
  }
  await page.getByTestId('filter-clear').click();
  await expect(page).toHaveURL(/\/clients$/);
});

test('the performance page keeps the filter when another group is picked, and compliance narrows its disclosure', async ({ page }) => {
  await login(page, USERS.admin);
  await page.goto('/portfolios?asset=Debt');
  await hydrated(page);
  await expect(page.getByTestId('filter-chips')).toContainText('Asset class: Debt');
  const picker = page.getByTestId('group-picker');
  const approach = picker.locator('optgroup[label="Investment approaches"] option').first();
  const value = (await approach.getAttribute('value'))!;
  await picker.selectOption(value);
  await expect(page).toHaveURL(new RegExp(`group=${value}&asset=Debt$`));
  await expect(page.getByTestId('filter-chips')).toContainText('Debt');

  await page.goto('/compliance');
  await hydrated(page);
  const rows = page.getByTestId('disclosure-strategy').locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(1);
  const form = await openFilters(page);
  const strategy = form.locator('select[name="strategy"]');
  await strategy.selectOption({ index: 1 });
  await page.getByTestId('filter-apply').click();
  await expect(page).toHaveURL(/\/compliance\?strategy=\d+$/);
  await expect(rows).toHaveCount(1);
});

test("an RM's filter offers only their book, and naming another RM shows nothing of theirs", async ({ page }) => {
  await login(page, USERS.rm1);
  await page.goto('/');
  await hydrated(page);
  const form = await openFilters(page);
  const rms = await form.locator('select[name="rm"] option').allTextContents();
  expect(rms.length).toBeLessThan(5);
  // An id outside the book (the admin's whole firm has dozens of RMs).
  await page.goto('/?rm=999999');
  await expect(page.getByText('No portfolios match these filters')).toBeVisible();
  await page.goto('/?aum_min=lots');
  await expect(page.getByRole('alert')).toContainText('aum_min');
});
