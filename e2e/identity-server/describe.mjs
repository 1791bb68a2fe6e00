// What the emulator tells a person: the lines `npm start` prints and the index
// that `/` and `/identity` answer.
import { SEEDED_ACCOUNTS } from './accounts.mjs';
import { COMMAND } from './cli-options.mjs';
import { CLIENTS } from './clients.mjs';

/** `email / password` of each seeded user, with its second factor. */
export function usersLine() {
  return SEEDED_ACCOUNTS.map(
    (a) => `${a.email} / ${a.password}${a.secondFactor ? ` (second factor ${a.secondFactor})` : ''}`,
  ).join(', ');
}

/** Each client id, with its secret when it has one. */
export function clientsLine() {
  return Object.entries(CLIENTS)
    .map(([id, c]) => (c.secret ? `${id} / ${c.secret}` : id))
    .join(', ');
}

const ENDPOINTS = [
  ['POST', '/identity/sign-in', 'sign in: {"email", "password"}; sets the session cookie'],
  ['POST', '/identity/sign-in/second-factor', 'the emulator\'s second-factor step: {"code"}'],
  ['GET', '/identity/connect/authorize', 'authorization code with PKCE (S256)'],
  ['POST', '/identity/connect/token', 'code exchange, refresh, password grant'],
  ['POST', '/identity/sign-out', 'revokes refresh tokens (Bearer access token)'],
  ['GET', '/identity/.well-known/openid-configuration', 'discovery'],
  ['GET', '/api/frontoffice/v1/account', 'needs a FrontOffice access token'],
  ['GET', '/api/backoffice/v1/users', 'needs a BackOffice access token'],
];

const CONTROLS = [
  ['GET', '/__stats', 'counters; POST /__stats/reset'],
  ['POST', '/__faults', 'arm a fault; GET lists, DELETE disarms'],
  ['POST', '/__tokens', 'mint an access token'],
];

/** The plain-text index of `/` and `/identity`. */
export function indexText({ publicUrl, issuer, testControls }) {
  const rows = (list) => list.map(([method, path, what]) => `  ${method.padEnd(5)}${path.padEnd(44)}${what}`);
  return [
    "B2Trader IdentityServer emulator (b2trader.identity.auth's test server)",
    '',
    `issuer   ${issuer}`,
    `users    ${usersLine()}`,
    `clients  ${clientsLine()}`,
    '',
    `endpoints (under ${publicUrl}):`,
    ...rows(ENDPOINTS),
    ...(testControls ? ['', 'test controls:', ...rows(CONTROLS)] : []),
    '',
    'The wire protocol: docs/protocol.md in the b2trader.identity.auth repository.',
    '',
  ].join('\n');
}

/**
 * How a person changes a setting: `'env'` for `npm start` and `npm run identity-server`
 * in this repository, `'flags'` for the package's command.
 * @typedef {'env' | 'flags'} SettingStyle
 */

/** The words that set `name` (`port` or `host`) to `value` in the given style. */
function settingHint(style, name, value) {
  if (style === 'flags') return `${COMMAND} --${name} ${value}`;
  return name === 'port' ? `IDENTITY_PORT=${value} npm start` : `IDENTITY_HOST=${value}`;
}

/**
 * One line for a listen failure a person can fix, naming the setting to change.
 * @param {SettingStyle} [style]
 */
export function listenFailureMessage(err, host, port, style = 'env') {
  switch (err?.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another emulator?). Stop that, or choose another port: ${settingHint(style, 'port', port + 1)}`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges. Choose a port above 1023: ${settingHint(style, 'port', 5055)}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${host}: not an address of this machine. Set ${style === 'flags' ? '--host' : 'IDENTITY_HOST'}, e.g. ${settingHint(style, 'host', '127.0.0.1')}`;
    default:
      return undefined;
  }
}
