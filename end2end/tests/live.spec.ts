import { expect, test } from '@playwright/test';
import { fixture, hydrated, login, USERS, validSecurityMaster } from './helpers';

test('a load finished in one browser updates another browser’s open dashboard without a reload', async ({ page, browser }) => {
  await login(page, USERS.admin);
  await page.goto('/clients?sort=name&dir=asc');
  await hydrated(page);
  const version = page.getByTestId('data-version');
  const before = (await version.textContent())?.trim();
  expect(before).toMatch(/^v\d+$/);
  // Survives only if the page is never reloaded.
  await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 42));

  const steward = await browser.newContext();
  try {
    const other = await steward.newPage();
    await login(other, USERS.steward);
    await other.goto('/ingest');
    await hydrated(other);
    await other.getByLabel('Choose a file').setInputFiles(fixture('security_master_live.csv', validSecurityMaster()));
    await other.getByTestId('upload-button').click();
    await expect(other.getByTestId('job-detail').getByTestId('job-status')).toHaveText('Succeeded', { timeout: 30_000 });
  } finally {
    await steward.close();
  }

  await expect(page.getByTestId('data-updated')).toBeVisible({ timeout: 20_000 });
  await expect(version).not.toHaveText(before!);
  expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(42);
  // The filters are kept.
  await expect(page).toHaveURL(/\/clients\?sort=name&dir=asc$/);
  await expect(page.getByTestId('client-table')).toBeVisible();
});
