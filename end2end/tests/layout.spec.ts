import { expect, Page, test } from '@playwright/test';
import { login, settled, USERS } from './helpers';

/** The pages each user can open, from the sidebar and the account menu. */
const PAGES = {
  admin: [
    '/', '/clients', '/portfolios', '/compliance', '/audit', '/ingest', '/account/security',
    '/admin', '/admin?tab=teams', '/admin?tab=assignments', '/admin?tab=branding', '/admin?tab=security', '/admin?tab=api', '/admin?tab=webhooks', '/views', '/alerts', '/alerts?status=resolved',
  ],
  rm1: ['/', '/clients', '/portfolios', '/compliance', '/account/security', '/views', '/alerts'],
} as const;

/** How far the page reaches past the viewport's right edge (0 when nothing scrolls sideways). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

for (const who of ['admin', 'rm1'] as const) {
  test(`no page scrolls sideways on a phone or at this project's width, as ${who}`, async ({ page }) => {
    const own = page.viewportSize();
    await login(page, USERS[who]);
    // A client page too: the first client of the user's list.
    await page.goto('/clients');
    const firstClient = await page.locator('a[href^="/clients/"]').first().getAttribute('href');
    const paths = [...PAGES[who], ...(firstClient ? [firstClient] : [])];
    for (const width of [390, own?.width ?? 1440]) {
      await page.setViewportSize({ width, height: 844 });
      for (const path of paths) {
        await page.goto(path);
        await settled(page);
        expect(await overflow(page), `${path} at ${width} px`).toBeLessThanOrEqual(0);
      }
    }
  });
}
