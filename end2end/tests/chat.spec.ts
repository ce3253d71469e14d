import { test, expect, Page } from '@playwright/test';
import { ADMIN, collectErrors, hydrated, nav, signIn } from './helpers';

// Aida talks to end2end/fake-openai.mjs, started by scripts/test: a message containing
// "story" streams a story in 12 pieces 250 ms apart; anything else gets a short answer.

async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

test.describe.configure({ mode: 'serial' });

test('a reply streams in piece by piece, actions can be undone, replies can be stopped', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, ADMIN);
  await nav(page, 'Chat').click();
  await expect(page).toHaveURL(/\/chat$/);
  await hydrated(page);

  // The story arrives over about three seconds: part of it shows while the rest is coming.
  await send(page, 'tell me a story');
  const streaming = page.getByTestId('streaming-text');
  await expect(streaming).toContainText('Once upon');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  expect(await streaming.textContent()).not.toContain('The end.');
  // The finished reply is stored and shown from the conversation's page.
  await expect(messages(page).getByText('It never missed a meeting again. The end.')).toBeVisible();
  await expect(page).toHaveURL(/\/chat\/\d+$/);
  await expect(messages(page).getByText('Answered by the standard model')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'tell me a story' })).toBeVisible();

  // A rules-tier message acts at once; its card can be undone.
  await send(page, 'spent $12 on lunch');
  const card = messages(page).locator('[data-action="log_expense"]');
  await expect(card).toContainText('Logged 12.00');
  await expect(messages(page).getByText('Answered by rules · free')).toBeVisible();
  await card.getByRole('button', { name: 'Undo' }).click();
  await expect(card).toHaveAttribute('data-undone', 'true');
  await expect(card).toContainText('Undone');

  // Stop keeps what was said and ends the reply.
  await send(page, 'another story please');
  await expect(streaming).toContainText('Once upon');
  await page.getByRole('button', { name: 'Stop' }).click();
  const stopped = messages(page).locator('[data-status="stopped"]');
  await expect(stopped).toContainText('Stopped.');
  await expect(stopped).toContainText('Once upon');
  await expect(stopped).not.toContainText('The end.');

  expect(errors).toEqual([]);
});

test('a reload while a reply is written loses nothing; conversations can be renamed and deleted', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, ADMIN);
  await page.goto('/chat');
  await hydrated(page);
  await send(page, 'one more story');
  await expect(page.getByTestId('streaming-text')).toContainText('Once upon');
  await expect(page).toHaveURL(/\/chat$/);
  // The conversation exists as soon as the reply starts; open it mid-stream.
  const link = page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'one more story' });
  await page.reload();
  await hydrated(page);
  await link.click();
  await expect(messages(page).getByText(/Once upon/)).toBeVisible();
  await expect(messages(page).getByText('It never missed a meeting again. The end.')).toBeVisible({ timeout: 15_000 });

  await page.getByLabel('Conversation name').fill('Robot stories');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Robot stories' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Robot stories' })).toHaveCount(0);

  // The usage page counts messages by tier.
  await nav(page, 'Usage').click();
  await expect(page.getByTestId('month-cost')).toContainText('Language model and text message cost this month');
  await expect(page.getByRole('table')).toBeVisible();

  expect(errors).toEqual([]);
});
