// One Karma configuration for every project of the workspace: Jasmine in
// headless Debian Chromium, with the identity emulator proxied onto the page's
// own origin (/identity and /api), as production serves them.
process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

/**
 * One line per browser, each failed spec with its messages, and the `TOTAL:` line
 * that npm test counts: Karma's base reporter, without the progress reporter's
 * cursor moves, for output that goes to a file or a pipe.
 */
function PlainReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  this.onBrowserComplete = (browser) => this.write(`${this.renderBrowser(browser)}\n`);
}
PlainReporter.$inject = ['baseReporterDecorator'];

/** Karma's progress bar and colours for a person at a terminal; plain text without escape codes otherwise. */
function reportingFor(isTTY) {
  return isTTY ? { reporters: ['progress'], colors: true } : { reporters: ['plain'], colors: false };
}

module.exports = function (config) {
  const identityUrl = process.env.IDENTITY_URL;
  config.set({
    basePath: '',
    frameworks: ['jasmine'],
    plugins: [
      require('karma-jasmine'),
      require('karma-chrome-launcher'),
      { 'reporter:plain': ['type', PlainReporter] },
    ],
    client: {
      jasmine: { random: true, timeoutInterval: 20000 },
      // Specs that need the emulator read its presence from here.
      identityEmulator: Boolean(identityUrl),
    },
    hostname: '127.0.0.1',
    listenAddress: '127.0.0.1',
    port: Number(process.env.KARMA_PORT || 9876),
    proxies: identityUrl
      ? { '/identity/': `${identityUrl}/identity/`, '/api/': `${identityUrl}/api/`, '/__': `${identityUrl}/__` }
      : {},
    ...reportingFor(Boolean(process.stdout.isTTY)),
    browsers: ['ChromeHeadlessLoopback'],
    customLaunchers: {
      ChromeHeadlessLoopback: {
        base: 'Chrome',
        flags: [...require('./e2e/support/chromium-flags.cjs')],
      },
    },
    singleRun: true,
    autoWatch: false,
    captureTimeout: 120000,
    browserNoActivityTimeout: 120000,
    browserDisconnectTimeout: 30000,
  });
};

module.exports.PlainReporter = PlainReporter;
module.exports.reportingFor = reportingFor;
