import { createHmac } from 'node:crypto';
import { test, expect, APIRequestContext } from '@playwright/test';
import { ADMIN, collectErrors, hydrated, nav, signIn } from './helpers';

// Voice booking: an owner turns booking on in the Booking page, a Retell agent (this test,
// signing as Retell does with the server's RETELL_API_KEY) checks a time and books it, the
// caller's confirmation link cancels it, and the call shows on the Calls tab.
const RETELL_KEY = 'e2e-retell-key';
const AGENT = `agent_e2e_${Date.now() % 100000}`;
const CALLER = '+1 416 555 01' + String(10 + (Date.now() % 90));
const CALLER_E164 = CALLER.replace(/ /g, '');

async function retell(request: APIRequestContext, path: string, body: object) {
  const raw = JSON.stringify(body);
  const at = Date.now();
  const digest = createHmac('sha256', RETELL_KEY).update(raw + String(at)).digest('hex');
  const response = await request.post(path, {
    data: raw,
    headers: { 'content-type': 'application/json', 'x-retell-signature': `v=${at},d=${digest}` },
  });
  return { status: response.status(), body: response.status() === 204 ? null : await response.json() };
}

function call(callId: string) {
  return { call_id: callId, agent_id: AGENT, from_number: CALLER_E164, to_number: '+14165550000', call_status: 'ongoing', start_timestamp: Date.now() };
}

test('an owner takes a booking by phone, and the caller cancels it from the link', async ({ page, request }) => {
  test.setTimeout(90_000);
  const errors = collectErrors(page);
  await signIn(page, ADMIN);
  await nav(page, 'Booking').click();
  await hydrated(page);

  const settings = page.getByRole('form', { name: 'Booking settings' });
  await settings.getByLabel('Callers may book').check();
  await settings.getByLabel('Business phone (texted for each booking)').fill('+1 416 555 0199');
  await settings.getByLabel('Text callers a confirmation with a link to cancel or move').check();
  await settings.getByLabel('Retell agent ids').fill(AGENT);
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  // The agent asks about a time, then books it.
  const check = await retell(request, '/webhooks/retell/check-availability', {
    name: 'check_availability', call: call('call_e2e'), args: { requested_time_string: 'next tuesday at 10am' },
  });
  expect(check.status).toBe(200);
  expect(check.body.available).toBe(true);
  expect(check.body.message).toMatch(/^Tuesday .* at 10 AM is free\.$/);
  const book = await retell(request, '/webhooks/retell/book', {
    name: 'book', call: call('call_e2e'), args: { customer_name: 'Robin Caller', customer_phone: CALLER, start: 'next tuesday at 10am' },
  });
  expect(book.body.booked).toBe(true);
  expect((await retell(request, '/webhooks/retell/events', {
    event: 'call_analyzed',
    call: { ...call('call_e2e'), end_timestamp: Date.now() + 65_000, call_analysis: { call_summary: 'Robin booked Tuesday at 10.', call_successful: true } },
  })).status).toBe(204);

  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('list', { name: 'Bookings' })).toContainText('Robin Caller');

  // The page's own form calls the tools as the agent would.
  const tryIt = page.getByRole('form', { name: 'Try it as a caller' });
  await tryIt.getByLabel('When').fill('next tuesday at 10am');
  await tryIt.getByRole('button', { name: 'Check availability' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The agent gets:' })).toContainText('is already taken');

  await page.getByRole('navigation', { name: 'Booking' }).getByRole('link', { name: 'Calls' }).click();
  await expect(page.getByRole('list', { name: 'Calls' })).toContainText('Robin booked Tuesday at 10.');

  // The caller's confirmation text links to their booking; they cancel it there.
  await page.goto(`/sms?number=${encodeURIComponent(CALLER_E164)}`);
  await hydrated(page);
  const texts = page.getByRole('list', { name: 'Texts, newest first' });
  await expect(texts).toContainText('To cancel or move it:');
  const link = (await texts.innerText()).match(/(\/bookings\/[0-9a-f]+)/)?.[1];
  expect(link).toBeTruthy();
  const caller = await page.context().browser()!.newPage();
  await caller.goto(link!);
  await hydrated(caller);
  await expect(caller.getByText(/is on Tuesday .* at 10 AM\./)).toBeVisible();
  await expect(caller.getByRole('list', { name: 'Free times' })).toBeVisible();
  await caller.getByRole('button', { name: 'Cancel the booking' }).click();
  await expect(caller.getByRole('status')).toContainText('was cancelled');
  expect(errors).toEqual([]);
});
