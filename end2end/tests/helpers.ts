import { expect, Page, TestInfo } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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

/**
 * Waits until the page has hydrated and nothing on it is still loading (no skeleton left).
 * Playwright's 'networkidle' never comes on a dashboard: its live-refresh stream stays open.
 */
export async function settled(page: Page) {
  await hydrated(page);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
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

/** The context options of the project (viewport, device) for contexts the tests open themselves. */
export function contextOptions(use: any) {
  const { baseURL, viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = use;
  return { baseURL, viewport, userAgent, deviceScaleFactor, isMobile, hasTouch };
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

/** The ISO 6166 check digit of an ISIN's first 11 characters. */
function isinCheckDigit(payload: string): number {
  const digits = payload
    .split('')
    .map((c) => (/[0-9]/.test(c) ? c : String(c.charCodeAt(0) - 55)))
    .join('');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isin(n: number): string {
  const payload = 'INE' + String(n).padStart(8, '0');
  return payload + isinCheckDigit(payload);
}

/** Writes `text` to a new temporary file named `name`; its path. */
export function fixture(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pms-e2e-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}


export const SECURITY_MASTER_HEADER = 'ISIN,SECURITY_NAME,ASSET_CLASS,SECTOR,MARKET_CAP,RATING,SECURITY_TYPE';

/** A security master with three securities the demo data does not have. */
export function validSecurityMaster(): string {
  const base = 90_000_000 + Math.floor(Math.random() * 9_000_000);
  const rows = [0, 1, 2].map(
    (i) => `${isin(base + i)},E2E Test Security ${base + i},Equity,Information Technology,Small Cap,,Equity Share`,
  );
  return [SECURITY_MASTER_HEADER, ...rows].join('\n') + '\n';
}

