import { test, expect, Page } from '@playwright/test';
import { ADMIN, collectErrors, hydrated, nav, signIn } from './helpers';

const unique = Date.now().toString(36);
const USER = { email: `user-${unique}@example.com`, password: 'a long user password', name: 'Robin' };

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

test.describe.configure({ mode: 'serial' });

test('sign up, approval, and a day with Aida', async ({ page }) => {
  const errors = collectErrors(page);

  // Sign up: told the account awaits approval.
  await page.goto('/sign-up');
  await hydrated(page);
  await page.getByLabel('Name').fill(USER.name);
  await page.getByLabel('Email').fill(USER.email);
  await page.getByLabel(/^Password/).fill(USER.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: "You're on the list" })).toBeVisible();
  await expect(page.getByText('awaits approval')).toBeVisible();

  // Signing in before approval is refused with a clear message.
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email').fill(USER.email);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('waiting for approval');

  // An admin approves.
  await signIn(page, ADMIN);
  await nav(page, 'Admin').click();
  await page.getByRole('list', { name: 'Waiting for approval' }).getByRole('button', { name: `Approve ${USER.email}` }).click();
  await expect(page.getByRole('list', { name: 'Waiting for approval' })).toHaveCount(0);
  await expect(page.getByText('No one is waiting.')).toBeVisible();
  await signOut(page);

  // The user signs in and lands on Today.
  await signIn(page, USER);
  await expect(page.getByRole('heading', { name: `Hello, ${USER.name}` })).toBeVisible();
  await expect(page.getByText('Nothing scheduled today.')).toBeVisible();

  // Create an event in the calendar, then see it on Today.
  await nav(page, 'Calendar').click();
  await page.getByRole('link', { name: 'New event' }).click();
  const dialog = page.getByRole('dialog', { name: 'New event' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Title').fill('Pottery class');
  await dialog.getByLabel('Start').fill(`${todayUtc()}T23:00`);
  await dialog.getByLabel('End').fill(`${todayUtc()}T23:45`);
  await dialog.getByLabel('Location').fill('Studio 4');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Pottery class/ })).toBeVisible();
  await nav(page, 'Today').click();
  const agenda = page.getByRole('region', { name: "Today's agenda" });
  await expect(agenda.getByText('Pottery class')).toBeVisible();
  await expect(agenda.getByText('23:00–23:45')).toBeVisible();

  // Add a task and complete it.
  await nav(page, 'Tasks').click();
  await page.getByLabel('New task').fill('Buy clay');
  await page.getByRole('button', { name: 'Add task' }).click();
  const tasks = page.getByRole('list', { name: 'Tasks' });
  await expect(tasks.getByText('Buy clay')).toBeVisible();
  await tasks.getByRole('button', { name: 'Complete Buy clay' }).click();
  await expect(page.getByText('Nothing to do. Add a task above.')).toBeVisible();
  await page.getByRole('link', { name: 'Done', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Buy clay')).toBeVisible();

  // Add expenses and watch the category total change.
  await nav(page, 'Expenses').click();
  await expect(page.getByText('No expenses this month yet.')).toBeVisible();
  const form = page.getByRole('form', { name: 'Add an expense' });
  await form.getByLabel('Amount').fill('12.50');
  await form.getByLabel('Category').selectOption('Food');
  await form.getByLabel('Description').fill('Lunch');
  await form.getByRole('button', { name: 'Add expense' }).click();
  const totals = page.getByRole('table', { name: 'Totals by category' });
  await expect(totals.getByRole('row', { name: /Food/ })).toContainText('12.50');
  await form.getByLabel('Amount').fill('7.25');
  await form.getByLabel('Category').selectOption('Food');
  await form.getByRole('button', { name: 'Add expense' }).click();
  await expect(totals.getByRole('row', { name: /Food/ })).toContainText('19.75');
  await expect(page.getByRole('img', { name: /Spending by category: Food 19.75/ })).toBeVisible();

  await signOut(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(errors).toEqual([]);
});

test('controls work after hydration without a full page reload', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, USER);
  await nav(page, 'Tasks').click();
  await hydrated(page);
  // A marker on window survives client-side updates but not a reload.
  await page.evaluate(() => { (window as unknown as { marker: string }).marker = 'still here'; });

  await page.getByLabel('New task').fill('Glaze pots');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByText('Glaze pots')).toBeVisible();
  await page.getByRole('link', { name: 'Overdue' }).click();
  await expect(page.getByText('Nothing overdue. Nice work.')).toBeVisible();
  await page.getByRole('link', { name: 'Open' }).click();
  await page.getByRole('list', { name: 'Tasks' }).getByRole('button', { name: 'Complete Glaze pots' }).click();
  await expect(page.getByText('Nothing to do. Add a task above.')).toBeVisible();

  // Validation errors appear next to the field, without leaving the page.
  await nav(page, 'Expenses').click();
  const form = page.getByRole('form', { name: 'Add an expense' });
  await form.getByLabel('Amount').fill('12.345');
  await form.getByRole('button', { name: 'Add expense' }).click();
  await expect(page.locator('#expense-amount-error')).toHaveText('use at most two decimals');

  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
  expect(errors).toEqual([]);
});

test('all-day and overlapping events in the calendar; a plain form keeps its error without JavaScript', async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, USER);
  const day = todayUtc();

  // An all-day event shows in the day's all-day row and on Today.
  await page.goto(`/calendar?view=week&date=${day}`);
  await hydrated(page);
  const newEvent = async (title: string, start: string, end: string, allDay = false) => {
    await page.getByRole('link', { name: 'New event' }).click();
    const dialog = page.getByRole('dialog', { name: 'New event' });
    await dialog.getByLabel('Title').fill(title);
    if (allDay) {
      await dialog.getByLabel('All day').check();
      await expect(dialog.getByLabel('Start')).toHaveAttribute('type', 'date');
    }
    await dialog.getByLabel('Start').fill(start);
    await dialog.getByLabel('End').fill(end);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
  };
  await newEvent('Studio open day', day, day, true);
  const column = page.getByRole('group', { name: new Date(`${day}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }).replace(',', '') });
  const allDay = column.getByRole('link', { name: 'Studio open day' });
  await expect(allDay).toBeVisible();
  expect(await allDay.getAttribute('style')).toBeNull();

  // Two overlapping events sit side by side, half the column each.
  await newEvent('Kiln check', `${day}T20:00`, `${day}T21:00`);
  await newEvent('Glaze order', `${day}T20:30`, `${day}T21:30`);
  const first = column.getByRole('link', { name: /Kiln check/ });
  const second = column.getByRole('link', { name: /Glaze order/ });
  await expect(first).toHaveAttribute('style', /left: 0\.000%; width: 50\.000%/);
  await expect(second).toHaveAttribute('style', /left: 50\.000%; width: 50\.000%/);

  await nav(page, 'Today').click();
  const agenda = page.getByRole('region', { name: "Today's agenda" });
  await expect(agenda.getByText('Studio open day')).toBeVisible();
  await expect(agenda.getByText('All day')).toBeVisible();
  expect(errors).toEqual([]);

  // Without JavaScript the dialog is a plain form; a refused save comes back to the open
  // dialog with the message next to its field and what was typed still there, and nothing is
  // written until it is put right.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto('/sign-in');
  await noJs.getByLabel('Email').fill(USER.email);
  await noJs.getByLabel('Password').fill(USER.password);
  await noJs.getByRole('button', { name: 'Sign in' }).click();
  await expect(noJs.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await noJs.goto(`/calendar?view=week&date=${day}&new=1`);
  const dialog = noJs.getByRole('dialog', { name: 'New event' });
  await dialog.getByLabel('Title').fill('Backwards & forwards');
  await dialog.getByLabel('Start').fill(`${day}T10:00`);
  await dialog.getByLabel('End').fill(`${day}T09:00`);
  await dialog.getByLabel('Location').fill('Room 4');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const refused = noJs.getByRole('dialog', { name: 'New event' });
  await expect(refused).toBeVisible();
  await expect(noJs.locator('#event-end-error')).toHaveText('the end must be after the start');
  await expect(refused.getByLabel('Title')).toHaveValue('Backwards & forwards');
  await expect(refused.getByLabel('Start')).toHaveValue(`${day}T10:00`);
  await expect(refused.getByLabel('End')).toHaveValue(`${day}T09:00`);
  await expect(refused.getByLabel('Location')).toHaveValue('Room 4');
  expect(await weekCount(noJs, day)).toBe(0);
  await refused.getByLabel('End').fill(`${day}T11:00`);
  await refused.getByRole('button', { name: 'Save' }).click();
  expect(await weekCount(noJs, day)).toBe(1);
  await plain.close();
});

/** How many "Backwards & forwards" events the week of `day` shows, seen from another tab. */
async function weekCount(page: Page, day: string): Promise<number> {
  const tab = await page.context().newPage();
  await tab.goto(`/calendar?view=week&date=${day}`);
  const count = await tab.getByRole('link', { name: /Backwards & forwards/ }).count();
  await tab.close();
  return count;
}
