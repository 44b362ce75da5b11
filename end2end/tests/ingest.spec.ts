import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { fixture, hydrated, isin, isTablet, login, openSection, SECURITY_MASTER_HEADER as HEADER, snap, USERS, validSecurityMaster } from './helpers';

/**
 * A large security master (about 1 MB, so the upload takes a moment) whose lines 2–4 are wrong:
 * a bad ISIN check digit, a missing name, an unknown asset class. It is rejected whole.
 */
function badSecurityMaster(): string {
  const lines = [
    HEADER,
    'INE002A01019,Reliance Industries Ltd,Equity,Oil & Gas,Large Cap,,Equity Share',
    `${isin(80_000_001)},,Equity,Information Technology,Large Cap,,Equity Share`,
    `${isin(80_000_002)},Bad Asset Class Ltd,Crypto,Financial Services,Large Cap,,Equity Share`,
  ];
  for (let i = 0; i < 13_000; i++) {
    lines.push(`${isin(81_000_000 + i)},Padding Security ${i} Private Limited,Equity,Capital Goods,Small Cap,,Equity Share`);
  }
  return lines.join('\n') + '\n';
}

async function openDataLoads(page: Page, testInfo: Parameters<typeof snap>[1]) {
  await openSection(page, testInfo, 'Data loads');
  await expect(page).toHaveURL(/\/ingest$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Data loads' })).toBeVisible();
  await expect(page.getByTestId('upload-panel')).toBeVisible();
}

test('a data steward uploads a report and follows the load until it succeeds', async ({ page }, testInfo) => {
  await login(page, USERS.steward);
  await openDataLoads(page, testInfo);
  await snap(page, testInfo, 'ingest-start');

  await page.getByLabel('Choose a file').setInputFiles(fixture('security_master_e2e.csv', validSecurityMaster()));
  await expect(page.getByTestId('chosen-file')).toHaveText('security_master_e2e.csv');
  await page.getByTestId('upload-button').click();

  const progress = page.getByTestId('upload-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toContainText('100%');
  await expect(page).toHaveURL(/\/ingest\?job=\d+$/);
  const jobId = new URL(page.url()).searchParams.get('job');

  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('job-status')).toHaveText('Succeeded', { timeout: 30_000 });
  await expect(detail.getByTestId('job-rows')).toHaveText('3');
  await expect(detail.getByTestId('job-new')).toHaveText('3');
  await expect(detail.getByTestId('job-errors')).toHaveText('0');
  await expect(detail.getByTestId('job-message')).toContainText('3 rows: 3 new');
  await expect(detail).toContainText('Security master');

  const row = page.getByTestId('job-table').locator(`[data-job-id="${jobId}"]`);
  await expect(row).toContainText('Succeeded');
  await expect(row).toContainText('security_master_e2e.csv');
  await expect(row).toContainText(USERS.steward);
  await snap(page, testInfo, 'ingest-succeeded');
});

test('a bad file shows its upload progress, is rejected with row errors, and they download as CSV', async ({
  page,
}, testInfo) => {
  await login(page, USERS.steward);
  await page.goto('/ingest');
  await hydrated(page);

  // Slow the upload down so its progress can be seen (Chromium's network emulation).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 400 * 1024,
  });

  await page.getByTestId('report-select').selectOption('security_master');
  await page.getByLabel('Choose a file').setInputFiles(fixture('scrip_master_bad.csv', badSecurityMaster()));
  await page.getByTestId('upload-button').click();
  const progress = page.getByTestId('upload-progress');
  await expect(progress).toHaveAttribute('data-state', 'sending');
  await expect(progress).toContainText(/[^0-9]([1-9]|[1-9]\d)% · /);
  await expect(page.getByTestId('upload-button')).toBeDisabled();
  await snap(page, testInfo, 'ingest-uploading');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  const detail = page.getByTestId('job-detail');
  await expect(detail.getByTestId('job-status')).toHaveText('Rejected', { timeout: 60_000 });
  await expect(detail.getByTestId('job-errors')).toHaveText('3');
  await expect(detail.getByTestId('job-message')).toContainText('nothing was loaded');
  const errors = page.getByTestId('error-table');
  await expect(errors.locator('tbody tr')).toHaveCount(3);
  await expect(errors.locator('tbody tr').nth(0)).toContainText('ISIN');
  await expect(errors.locator('tbody tr').nth(0)).toContainText('INE002A01019');
  await expect(errors).toContainText('SECURITY_NAME');
  await expect(errors).toContainText('ASSET_CLASS');
  await snap(page, testInfo, 'ingest-rejected');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-errors').click()]);
  expect(download.suggestedFilename()).toMatch(/^job-\d+-errors\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('line,column,value,reason');
  expect(csv).toHaveLength(4);
  expect(csv[1]).toMatch(/^2,ISIN,INE002A01019,/);

});

test('an RM has no Data loads link and gets a 403 message at /ingest', async ({ page }, testInfo) => {
  await login(page, USERS.rm1);
  const nav = page.getByRole('navigation', { name: 'Sections' });
  if (isTablet(testInfo)) {
    await page.getByTitle('Menu').click();
  }
  await expect(nav.getByRole('link', { name: 'Client analytics' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Data loads' })).toHaveCount(0);
  await page.goto('/ingest');
  await hydrated(page);
  const message = page.getByTestId('ingest-forbidden');
  await expect(message).toContainText('403');
  await expect(message).toContainText('Data loads are for data stewards and admins');
  await expect(page.getByTestId('upload-panel')).toHaveCount(0);
  await expect(page.getByTestId('job-table')).toHaveCount(0);
  await snap(page, testInfo, 'ingest-forbidden');
});
