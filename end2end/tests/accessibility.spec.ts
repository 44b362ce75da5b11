import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { login, settled, USERS } from './helpers';

/** Every section of the dashboard, as an admin and as an RM. */
const SECTIONS = ['/', '/clients', '/portfolios', '/compliance', '/views'];

for (const who of ['admin', 'rm1'] as const) {
  test(`no serious or critical accessibility violations on any section, as ${who}`, async ({ page }) => {
    await login(page, USERS[who]);
    const found: string[] = [];
    for (const path of SECTIONS) {
      await page.goto(path);
      await settled(page);
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${path}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      found.push(...serious);
    }
    expect(found).toEqual([]);
  });
}
