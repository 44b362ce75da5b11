import { Browser, expect, Page, test, TestInfo } from '@playwright/test';
import { hydrated, isTablet, login, snap, USERS } from './helpers';

/** A view name no other run or project uses. */
function uniqueName(testInfo: TestInfo, what: string) {
  return `${what} ${testInfo.project.name} ${Date.now()}`;
}

/** Saves the section open in `page` as a view named `name` through the filter bar; its id. */
async function saveView(page: Page, name: string): Promise<string> {
  await page.getByTestId('save-view').click();
  await page.getByTestId('save-view-name').fill(name);
  await page.getByTestId('save-view-submit').click();
  await expect(page).toHaveURL(/[?&]view=\d+/);
  await expect(page.getByTestId('open-view-name')).toHaveText(name);
  return new URL(page.url()).searchParams.get('view')!;
}

/** Deletes a view of the signed-in user (tests leave nothing behind for other specs). */
async function deleteView(page: Page, id: string) {
  await page.goto(`/views/${id}`);
  await hydrated(page);
  await page.getByTestId('view-delete').click();
  await expect(page.getByText('View deleted.')).toBeVisible();
}

async function signedIn(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, email);
  return { context, page };
}

test('an RM saves the filtered client list, reopens it after a reload and from the list, and makes it the default', async ({ page }, testInfo) => {
  await login(page, USERS.rm1);
  await page.goto('/clients?sort=name&dir=asc');
  await hydrated(page);
  const name = uniqueName(testInfo, 'A to Z');
  const id = await saveView(page, name);
  await expect(page).toHaveURL(new RegExp(`/clients\\?sort=name&dir=asc&view=${id}$`));

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('open-view-name')).toHaveText(name);

  await page.goto('/views');
  await hydrated(page);
  const row = page.getByTestId('view-row').filter({ hasText: name });
  await expect(row).toContainText('Client analytics');
  await expect(row).toContainText('You');
  await snap(page, testInfo, 'saved-views');
  await row.getByTestId('view-open').click();
  await expect(page).toHaveURL(new RegExp(`/clients\\?sort=name&dir=asc&view=${id}$`));

  await page.goto(`/views/${id}`);
  await hydrated(page);
  try {
    await page.getByTestId('view-default').click();
    await expect(page.getByText(`Client analytics now opens with “${name}”.`)).toBeVisible();
    await snap(page, testInfo, 'saved-view');
    // The section opens with it from the sidebar.
    const nav = page.getByRole('navigation', { name: 'Sections' });
    if (isTablet(testInfo)) {
      await page.getByTitle('Menu').click();
    }
    const link = nav.getByRole('link', { name: 'Client analytics' });
    await expect(link).toHaveAttribute('href', `/clients?sort=name&dir=asc&view=${id}`);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/clients\\?sort=name&dir=asc&view=${id}$`));
    await expect(page.getByTestId('open-view-name')).toHaveText(name);
  } finally {
    await deleteView(page, id);
  }
  // Deleting the view removes it as the default: the section opens unfiltered again.
  await page.goto('/views');
  await hydrated(page);
  await expect(page.getByTestId('view-row').filter({ hasText: name })).toHaveCount(0);
});

test('a view an admin shares with an RM shows the RM only their own clients, and they can copy it but not change it', async ({ page, browser }, testInfo) => {
  await login(page, USERS.admin);
  await page.goto('/clients?sort=aum&dir=desc');
  await hydrated(page);
  const name = uniqueName(testInfo, 'Largest first');
  const id = await saveView(page, name);
  const ownerRms = await page.getByTestId('client-table').locator('tbody tr td:nth-child(3)').allInnerTexts();

  await page.goto(`/views/${id}`);
  await hydrated(page);
  await page.getByTestId('share-emails').fill(USERS.rm1);
  await page.getByTestId('view-share').click();
  await expect(page.getByRole('status').filter({ hasText: 'Shared read-only with' })).toBeVisible();

  const other = await signedIn(browser, USERS.rm1);
  try {
    await other.page.goto('/views');
    await hydrated(other.page);
    const row = other.page.getByTestId('view-row').filter({ hasText: name });
    await expect(row).toContainText('shared with you');
    await row.getByTestId('view-open').click();
    await expect(other.page).toHaveURL(new RegExp(`view=${id}$`));
    await expect(other.page.getByTestId('open-view-name')).toHaveText(name);
    // The admin's view spans many RMs; opened by the RM it holds their own book only.
    expect(new Set(ownerRms).size).toBeGreaterThan(1);
    const rms = await other.page.getByTestId('client-table').locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(rms.length).toBeGreaterThan(0);
    expect([...new Set(rms)]).toEqual(['Anand Singhania']);
    // Read-only: no "Save changes", no rename; a copy is theirs.
    await expect(other.page.getByTestId('save-view-changes')).toHaveCount(0);
    await other.page.goto(`/views/${id}`);
    await hydrated(other.page);
    await expect(other.page.getByTestId('view-rename')).toHaveCount(0);
    await other.page.getByTestId('view-copy').click();
    await expect(other.page.getByTestId('view-name')).toHaveText(`Copy of ${name}`);
    const copyId = other.page.url().split('/').pop()!;
    await deleteView(other.page, copyId);
  } finally {
    await other.context.close();
    await deleteView(page, id);
  }
});

test('changing a view saves a new version and restoring the first brings its filters back', async ({ page }, testInfo) => {
  await login(page, USERS.rm1);
  await page.goto('/clients?sort=name&dir=asc');
  await hydrated(page);
  const name = uniqueName(testInfo, 'Versions');
  const id = await saveView(page, name);
  try {
    await page.goto(`/clients?sort=aum&dir=desc&view=${id}`);
    await hydrated(page);
    await page.getByTestId('save-view-changes').click();
    await expect(page.getByTestId('save-view-changes')).toHaveCount(0);

    await page.goto(`/views/${id}`);
    await hydrated(page);
    await expect(page.getByTestId('view-version')).toHaveCount(2);
    await page.locator('[data-testid="view-version"][data-version="1"]').getByTestId('view-restore').click();
    await expect(page.getByTestId('view-version')).toHaveCount(3);
    await expect(page.locator('[data-testid="view-version"][data-version="3"]')).toContainText('current');
    await expect(page.getByTestId('view-open')).toHaveAttribute('href', `/clients?sort=name&dir=asc&view=${id}`);
  } finally {
    await deleteView(page, id);
  }
});
