import { test, expect } from '@playwright/test';
import { USERS, hydrated, isTablet, login, snap } from './helpers';

test('the server renders the page (content is in the HTML source)', async ({ page }) => {
  await login(page, USERS.admin);
  const res = await page.request.get('/');
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain('Executive summary');
  expect(html).toContain('PMS Intelligence Hub');
  expect(html).toContain('/pkg/pms-hub.wasm');
});

test('health and readiness answer JSON', async ({ request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok' });
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
});

test('after hydration the refresh button re-runs the data-status server function', async ({ page }, testInfo) => {
  await login(page, USERS.admin);
  const status = page.getByTestId('data-status');
  await expect(status).toContainText('Data as of');
  // The data version, on desktop beside the date and everywhere in the tooltip.
  await expect(status.locator('.data-status__text')).toHaveAttribute('title', /Data version \d+\./);
  if ((page.viewportSize()?.width ?? 0) >= 1200) {
    await expect(page.getByTestId('data-version')).toHaveText(/^v\d+$/);
  }
  const checked = page.getByTestId('checked-at');
  const before = await checked.innerText();
  // The label has one-second resolution: make sure the next answer is in a later second.
  await page.waitForTimeout(1100);
  await page.getByTestId('refresh-status').click();
  await expect(checked).not.toHaveText(before);
  await snap(page, testInfo, 'executive-summary');
});

test('the sidebar reaches all four sections', async ({ page }, testInfo) => {
  await login(page, USERS.rm1);
  const sections: [string, string][] = [
    ['Client analytics', '/clients'],
    ['Portfolio performance', '/portfolios'],
    ['Compliance & reporting', '/compliance'],
    ['Executive summary', '/'],
  ];
  for (const [label, path] of sections) {
    const nav = page.getByRole('navigation', { name: 'Sections' });
    if (isTablet(testInfo)) {
      // On a tablet the sidebar is a drawer: closed until the menu button opens it.
      await expect(nav).not.toBeInViewport();
      await page.getByTitle('Menu').click();
    }
    await nav.getByRole('link', { name: label }).click();
    await expect(page).toHaveURL(new RegExp(`${path.replace('/', '\\/')}$`));
    await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
    if (isTablet(testInfo)) {
      await expect(nav).not.toBeInViewport();
    }
  }
  await page.goto('/clients');
  await snap(page, testInfo, 'client-analytics');
});

test('an unknown address gets a 404 page', async ({ page }) => {
  await login(page, USERS.rm1);
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('the executive summary shows the book the user may see', async ({ page, browser }, testInfo) => {
  await login(page, USERS.admin);
  const kpis = page.getByTestId('kpis');
  await expect(kpis).toContainText('Assets under management');
  await expect(kpis).toContainText('₹');
  await expect(page.getByRole('heading', { name: 'Strategy mix' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Top portfolios (TWRR 1Y)' })).toBeVisible();
  const firmClients = await kpis.locator('.kpi', { hasText: 'Clients' }).locator('.kpi__value').innerText();
  await snap(page, testInfo, 'executive-summary-admin');

  const rm = await (await browser.newContext()).newPage();
  await login(rm, USERS.rm1);
  const rmClients = await rm.getByTestId('kpis').locator('.kpi', { hasText: 'Clients' }).locator('.kpi__value').innerText();
  expect(parseInt(rmClients, 10)).toBeLessThan(parseInt(firmClients, 10));
});
