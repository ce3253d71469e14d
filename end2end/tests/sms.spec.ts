import { test, expect } from '@playwright/test';
import { ADMIN, collectErrors, hydrated, nav, signIn } from './helpers';

// Without Twilio, texts stay in the outbox and the SMS page's simulator texts Aida through the
// webhook's own code path. An admin verifies a phone with the code the outbox holds, texts
// Aida from it, and finds the event on the calendar.
const PHONE = '+1 212 555 01' + String(10 + (Date.now() % 90));
const E164 = PHONE.replace(/ /g, '');

test('a phone verified with its texted code, then a text that makes an event', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = collectErrors(page);
  await signIn(page, ADMIN);

  // Settings: the code goes to the outbox.
  await nav(page, 'Settings').click();
  await hydrated(page);
  const add = page.getByRole('form', { name: 'Add phone' });
  await add.getByLabel('Mobile number').fill(PHONE);
  await add.getByRole('button', { name: 'Text me a code' }).click();
  await expect(page.getByText(`We texted a 6-digit code to ${E164}`)).toBeVisible();

  // The SMS page shows any number's texts to an admin: the code is there, unsent.
  await page.goto(`/sms?number=${encodeURIComponent(E164)}`);
  await hydrated(page);
  const texts = page.getByRole('list', { name: 'Texts, newest first' });
  await expect(texts).toContainText('Your Aida code is');
  await expect(texts).toContainText('unsent');
  const code = (await texts.innerText()).match(/code is (\d{6})/)?.[1];
  expect(code).toBeTruthy();

  await nav(page, 'Settings').click();
  await hydrated(page);
  const verify = page.getByRole('form', { name: 'Verify phone' });
  await verify.getByLabel('Code').fill(code!);
  await verify.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('verified-phone')).toHaveText(E164);

  // Text Aida from that phone through the simulator; the reply follows the batch window.
  await nav(page, 'SMS').click();
  await hydrated(page);
  await page.getByLabel(`Text Aida as ${E164}`).fill('lunch w/ Sam tmrw 1pm');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(texts.locator('li[data-direction="in"]').first()).toContainText('lunch w/ Sam tmrw 1pm', { timeout: 20_000 });
  await expect(texts.locator('li[data-direction="out"]').first()).toContainText('Reply UNDO to remove.', { timeout: 20_000 });
  await expect(texts.locator('li[data-direction="out"]').first()).toContainText('Added "lunch with Sam"');

  // The event is on the calendar, and the texts are a conversation on the chat page.
  // (The admin's timezone is UTC: "tmrw" is tomorrow's UTC date.)
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.goto(`/calendar?view=week&date=${tomorrow}`);
  await expect(page.getByText('lunch with Sam').first()).toBeVisible();
  await nav(page, 'Chat').click();
  await expect(page.getByRole('link', { name: 'Text messages' })).toBeVisible();
  expect(errors).toEqual([]);
});
