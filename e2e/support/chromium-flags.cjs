// The flags of every headless Chromium the project starts: Karma (karma.conf.js),
// Playwright in e2e/ (support/browser.mjs) and bench/ (lib/test-bed.mjs). Loopback
// only and nothing in the background, so that runs stay quiet and comparable.
// CommonJS, so that karma.conf.js can require it and the ES modules import it.
module.exports = Object.freeze([
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
