import { expect, test } from '@playwright/test';
import { login, USERS } from './helpers';

test('the header search suggests clients as you type and opens one with the keyboard', async ({ page }) => {
  await login(page, USERS.rm1);
  await page.goto('/clients?sort=name&dir=asc');
  const first = page.getByTestId('client-table').locator('tbody tr a').first();
  const name = (await first.textContent())!.trim();
  const href = await first.getAttribute('href');

  const box = page.getByTestId('header-search');
  await box.fill(name.slice(0, 6));
  const list = page.getByRole('listbox', { name: 'Clients found' });
  await expect(list).toBeVisible();
  await expect(list.getByRole('option').first()).toBeVisible();
  await expect(box).toHaveAttribute('aria-expanded', 'true');

  // Type the whole name, then choose the first suggestion with the keyboard.
  await box.fill(name);
  await expect(list.getByRole('option').first()).toContainText(name);
  await box.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-activedescendant', 'client-hit-0');
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByTestId('client-name')).toHaveText(name);

  // Escape closes the list.
  await box.fill(name.slice(0, 4));
  await expect(list).toBeVisible();
  await box.press('Escape');
  await expect(list).toBeHidden();
});
