import { test, expect, request as playwrightRequest } from '@playwright/test';
import { DEMO_PASSWORD, hydrated, isTablet, login, openSection, snap, USERS } from './helpers';

/** A data steward uploads a small file through the HTTP API, so the trail has an upload to show. */
async function uploadAsSteward(baseURL: string): Promise<number> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
  const signIn = await api.post('/api/auth/login', {
    form: { email: USERS.steward, password: DEMO_PASSWORD, next: '/' },
    maxRedirects: 0,
  });
  expect(signIn.status()).toBeLessThan(400);
  const upload = await api.post('/ingest/upload', {
    headers: { Accept: 'application/json' },
    multipart: {
      report: 'benchmark_levels',
      file: {
        name: 'audit_e2e_levels.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('BENCHMARK_CODE,LEVEL_DATE,LEVEL\n'),
      },
    },
  });
  expect(upload.status()).toBe(200);
  const { job_id } = await upload.json();
  await api.dispose();
  return job_id;
}

test('compliance filters the audit trail by action, sees the uploads and verifies the chain', async ({
  page,
  baseURL,
}, testInfo) => {
  const jobId = await uploadAsSteward(baseURL ?? 'http://127.0.0.1:3000');

  await login(page, USERS.compliance);
  await openSection(page, testInfo, 'Audit trail');
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
  const table = page.getByTestId('audit-table');
  await expect(table.getByTestId('audit-row').first()).toBeVisible();

  await page.getByTestId('action-filter').selectOption('ingest.');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/action=ingest\./);
  const rows = table.getByTestId('audit-row');
  await expect(rows.first()).toContainText('ingest.upload');
  const actions = await table.locator('code.audit-action').allInnerTexts();
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => a.startsWith('ingest.'))).toBe(true);
  const upload = rows.filter({ hasText: `ingest_job ${jobId}` });
  await expect(upload).toHaveCount(1);
  await expect(upload).toContainText(USERS.steward);
  await expect(upload).toContainText('audit_e2e_levels.csv');
  await snap(page, testInfo, 'audit-ingest');

  await page.getByTestId('verify-chain').click();
  const result = page.getByTestId('chain-result');
  await expect(result).toContainText(/^Intact: \d+ rows/);

  // The check itself is in the trail.
  await page.getByTestId('action-filter').selectOption('audit.');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/action=audit\./);
  await expect(rows.first()).toContainText('audit.verify');
  await expect(rows.first()).toContainText(USERS.compliance);
  await expect(rows.first()).toContainText('result: intact');

  // Free text: the steward's uploads, searched by file name.
  await page.getByLabel('Search the audit trail').fill('audit_e2e_levels');
  await page.getByTestId('action-filter').selectOption('');
  await page.getByTestId('apply-filters').click();
  await expect(page).toHaveURL(/q=audit_e2e_levels/);
  await expect(rows.first()).toContainText('audit_e2e_levels.csv');
  await snap(page, testInfo, 'audit-search');
});

test('the whole trail pages with Load older', async ({ page }, testInfo) => {
  await login(page, USERS.admin);
  await page.goto('/audit');
  await hydrated(page);
  const rows = page.getByTestId('audit-table').getByTestId('audit-row');
  const first = await rows.count();
  const more = page.getByTestId('load-older');
  if (first === 50 && (await more.count()) > 0) {
    const oldest = Number(await rows.last().getAttribute('data-seq'));
    await more.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    const next = Number(await rows.nth(50).getAttribute('data-seq'));
    expect(next).toBeLessThan(oldest);
  } else {
    expect(first).toBeLessThan(50);
  }
  if (isTablet(testInfo)) {
    // On a tablet the address column folds under the actor.
    await expect(page.locator('th.col-ip')).toBeHidden();
  }
  await snap(page, testInfo, 'audit-all');
});

test('an RM cannot read the audit trail', async ({ page }) => {
  await login(page, USERS.rm1);
  await page.goto('/audit');
  await hydrated(page);
  await expect(page.getByTestId('audit-forbidden')).toContainText('Your role does not allow this');
  await expect(page.getByTestId('audit-table')).toHaveCount(0);
});
