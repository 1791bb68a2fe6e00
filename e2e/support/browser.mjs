// Debian's Chromium driven by playwright-core: no browser download, loopback only.
import { chromium } from 'playwright-core';

import CHROMIUM_FLAGS from './chromium-flags.cjs';

/** The flags every browser test runs with (the same as Karma's). */
export const CHROMIUM_ARGS = CHROMIUM_FLAGS;

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
