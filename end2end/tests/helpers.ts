import { expect, Page, TestInfo } from '@playwright/test';

/** The demo logins the test server's demo data creates (seed 42). */
export const DEMO_PASSWORD = 'Hub-Demo-2026!';
export const USERS = {
  admin: 'shivakumar.shetty@sahyadricapital.example',
  compliance: 'omkar.deshpande@sahyadricapital.example',
  steward: 'farah.qureshi@sahyadricapital.example',
  pm: 'mehul.shah@sahyadricapital.example',
  rm1: 'anand.singhania@sahyadricapital.example',
  rm2: 'kalpesh.jhaveri@sahyadricapital.example',
  lead: 'bhavesh.desai@sahyadricapital.example',
} as const;

/** Waits until the WASM bundle has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 30_000 });
}

/** Signs in through the login form and waits for the dashboard. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login(\?|$)/);
  await hydrated(page);
}

/** Saves a full-page screenshot under end2end/screenshots/<project>-<name>.png. */
export async function snap(page: Page, testInfo: TestInfo, name: string) {
  await page.screenshot({ path: `screenshots/${testInfo.project.name}-${name}.png`, fullPage: true });
}

/** True when the project emulates a tablet (the sidebar is a drawer there). */
export function isTablet(testInfo: TestInfo) {
  return testInfo.project.name === 'tablet';
}

/** Opens a sidebar section, through the drawer on a tablet. */
export async function openSection(page: Page, testInfo: TestInfo, label: string) {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  if (isTablet(testInfo)) {
    await page.getByTitle('Menu').click();
  }
  await nav.getByRole('link', { name: label }).click();
}
