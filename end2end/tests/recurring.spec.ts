import { test, expect } from '@playwright/test';
import { ADMIN, collectErrors, hydrated, nav, signIn } from './helpers';

// Repeating events in the calendar dialog: a weekly series made with an end after three
// times, one instance renamed on its own, the rest deleted from the third on; and the
// calendar feed's address from Settings, serving the series with its rule.
test('a weekly series, one instance changed, this and following deleted, and the feed', async ({ page, request }) => {
  const errors = collectErrors(page);
  const title = `Piano ${Date.now() % 100000}`;
  await signIn(page, ADMIN);
  const week = async (monday: string) => {
    await page.goto(`/calendar?view=week&date=${monday}`);
    await hydrated(page);
  };

  await week('2031-03-03');
  await page.getByRole('link', { name: 'New event' }).click();
  const created = page.getByRole('dialog', { name: 'New event' });
  await created.getByLabel('Title').fill(title);
  await created.getByLabel('Start').fill('2031-03-03T09:00');
  await created.getByLabel('End').fill('2031-03-03T10:00');
  await created.getByLabel('Repeats').selectOption({ label: 'Every week on Monday' });
  await created.getByLabel('Or times').fill('3');
  await created.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('link', { name: new RegExp(title) })).toHaveCount(1);

  // The second Monday, renamed on its own.
  await week('2031-03-10');
  await page.getByRole('link', { name: new RegExp(title) }).click();
  const second = page.getByRole('dialog', { name: 'Edit event' });
  await expect(second.getByLabel('Repeats')).toHaveValue('FREQ=WEEKLY;BYDAY=MO');
  await expect(second.getByLabel('Or times')).toHaveValue('3');
  await expect(second.getByRole('group', { name: 'Save changes to' }).getByLabel('This event')).toBeChecked();
  await second.getByLabel('Title').fill(`${title} (recital)`);
  await second.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('link', { name: new RegExp(`${title} \\(recital\\)`) })).toHaveCount(1);
  await week('2031-03-17');
  const third = page.getByRole('link', { name: new RegExp(title) });
  await expect(third).toHaveCount(1);
  await expect(third).not.toContainText('recital');

  // The third, and any after it, deleted.
  await third.click();
  const last = page.getByRole('dialog', { name: 'Edit event' });
  await last.getByRole('group', { name: 'Delete' }).getByLabel('This and following').check();
  await last.getByRole('button', { name: 'Delete event' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('link', { name: new RegExp(title) })).toHaveCount(0);
  await week('2031-03-03');
  await expect(page.getByRole('link', { name: new RegExp(title) })).toHaveCount(1);

  // The feed carries the series with its rule.
  await nav(page, 'Settings').click();
  await hydrated(page);
  const feed = page.locator('section', { has: page.getByRole('heading', { name: 'Calendar feed' }) });
  await feed.getByRole('button', { name: /Make a feed address|New address/ }).click();
  const address = feed.getByTestId('feed-address');
  await expect(address).toContainText('/feeds/');
  const url = new URL((await address.textContent()) ?? '');
  const response = await request.get(url.pathname);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('text/calendar');
  const ics = await response.text();
  expect(ics).toContain(`SUMMARY:${title}\r\n`);
  expect(ics).toMatch(/RRULE:FREQ=WEEKLY;UNTIL=\d{8}T\d{6}Z;BYDAY=MO/);
  expect(errors).toEqual([]);
});
