// What a user does on the demo's pages, and what the tests read from them.

export const TRADER = Object.freeze({ email: 'trader@example.com', password: 'Passw0rd!' });
export const SECOND_FACTOR_USER = Object.freeze({ email: '2fa@example.com', password: 'Passw0rd!', code: '123456' });

/** Fills and sends the sign-in form of a page that shows it. */
export async function submitSignIn(page, { email, password }) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in from the sign-in page and waits for the desk. */
export async function signIn(page, baseUrl, user = TRADER) {
  await page.goto(`${baseUrl}/sign-in`);
  await submitSignIn(page, user);
  await waitForDesk(page);
}

/** Waits until the page shows the desk with a signed-in account; returns the account shown. */
export async function waitForDesk(page, timeout = 10_000) {
  const account = page.getByTestId('account');
  await account.waitFor({ timeout });
  return account.textContent();
}

/** Waits until the page shows the sign-in form. */
export async function waitForSignInPage(page, timeout = 10_000) {
  await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout });
}

/** A number the page shows under `data-testid`. */
export async function numberShown(page, testId) {
  return Number(await page.getByTestId(testId).textContent());
}

/** The activity log's entries of one event type (`refreshed`, `sessionExpired`, …) in this tab. */
export function activityCount(page, type) {
  return page.locator(`[data-testid="activity"] [data-type="${type}"]`).count();
}

/** Uncaught errors of a page, collected as they happen: a test asserts the list stays empty. */
export function collectPageErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
