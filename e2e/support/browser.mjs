// Debian's Chromium driven by playwright-core: no browser download, loopback only.
import { chromium } from 'playwright-core';

/** The flags every browser test runs with (the same as Karma's). */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

/** The Chromium to drive: `CHROME_BIN`, else Debian's. */
export function chromiumPath() {
  return process.env.CHROME_BIN || '/usr/bin/chromium';
}

/**
 * Launches headless Chromium.
 * @param {import('playwright-core').LaunchOptions} [options] merged over the defaults (`args` are appended)
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchBrowser(options = {}) {
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    ...rest,
    args: [...CHROMIUM_ARGS, ...args],
  });
}
