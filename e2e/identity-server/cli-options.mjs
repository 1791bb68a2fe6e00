// The emulator's command line: each flag stands for one environment setting, and
// a flag given wins over its variable. Pure: argv and env in, settings or a message out.
import { parseArgs } from 'node:util';

/** The package's command, as `npx` runs it. */
export const COMMAND = 'b2trader-identity-emulator';

/**
 * Every setting: its flag, its environment variable, its kind and default, and what it means.
 * @type {ReadonlyArray<{ flag: string, env: string, key: string, kind: 'string' | 'integer' | 'url' | 'switch', fallback?: unknown, meaning: string }>}
 */
export const SETTINGS = Object.freeze([
  { flag: 'host', env: 'IDENTITY_HOST', key: 'host', kind: 'string', fallback: '127.0.0.1', meaning: 'listen address' },
  {
    flag: 'port',
    env: 'IDENTITY_PORT',
    key: 'port',
    kind: 'integer',
    fallback: 5055,
    meaning: 'listen port (0 picks a free one)',
  },
  {
    flag: 'public-url',
    env: 'IDENTITY_PUBLIC_URL',
    key: 'publicUrl',
    kind: 'url',
    meaning: "the origin the browser sees (a dev server's, e.g. http://localhost:4200); default: its own address",
  },
  {
    flag: 'access-token-ttl',
    env: 'ACCESS_TOKEN_TTL',
    key: 'accessTokenTtl',
    kind: 'integer',
    fallback: 30,
    meaning: 'access-token lifetime in seconds',
  },
  {
    flag: 'refresh-token-ttl',
    env: 'REFRESH_TOKEN_TTL',
    key: 'refreshTokenTtl',
    kind: 'integer',
    fallback: 14 * 24 * 3600,
    meaning: 'refresh-token lifetime in seconds',
  },
  {
    flag: 'session-ttl',
    env: 'SESSION_TTL',
    key: 'sessionTtl',
    kind: 'integer',
    fallback: 14 * 24 * 3600,
    meaning: 'identity-session (sign-in cookie) lifetime in seconds',
  },
  {
    flag: 'test-controls',
    env: 'IDENTITY_TEST_CONTROLS',
    key: 'testControls',
    kind: 'switch',
    fallback: false,
    meaning: 'turns on /__stats, /__faults and /__tokens (the variable: 1)',
  },
]);

const PLACEHOLDERS = { string: ' <address>', integer: ' <n>', url: ' <url>', switch: '' };

/** The text `--help` prints. */
export function usage() {
  const rows = SETTINGS.map((s) => {
    const left = `  --${s.flag}${PLACEHOLDERS[s.kind]}`;
    const fallback = s.fallback === undefined || s.kind === 'switch' ? '' : ` (default ${s.fallback})`;
    return `${left.padEnd(28)}${s.env}: ${s.meaning}${fallback}`;
  });
  return [
    `Usage: ${COMMAND} [options]`,
    '',
    "A B2Trader-compatible IdentityServer emulator for development and tests. Point your dev server's",
    'proxy for /identity and /api at it, and set --public-url to the origin the browser sees.',
    '',
    'Options (each may be set by its environment variable instead; a flag wins):',
    ...rows,
    '  --help                    prints this',
    '',
    `Example: ${COMMAND} --port 5055 --public-url http://localhost:4200`,
    '',
  ].join('\n');
}

/** A setting's value from its raw text, or the reason it is unusable. */
function convert(setting, raw, source) {
  if (setting.kind === 'switch') return { value: raw === true || raw === '1' };
  if (setting.kind === 'integer') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < 0) {
      return { error: `${source} must be a non-negative integer, got "${raw}"` };
    }
    return { value };
  }
  if (setting.kind === 'url') {
    let url;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return { error: `${source} must be an http(s) URL such as http://localhost:4200, got "${raw}"` };
    }
    return { value: raw };
  }
  return { value: raw };
}

/**
 * The settings of a command line and an environment.
 * @param {string[]} argv the arguments after the script's path
 * @param {Record<string, string | undefined>} env
 * @returns {{ help: true } | { error: string } | { settings: { host: string, port: number, publicUrl?: string, accessTokenTtl: number, refreshTokenTtl: number, sessionTtl: number, testControls: boolean }, fromFlags: boolean }}
 */
export function readSettings(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: s.kind === 'switch' ? 'boolean' : 'string' }])),
      },
    });
  } catch (error) {
    // parseArgs explains over several lines; the first says what is wrong
    const firstLine = error.message.split('\n')[0].replace(/\.$/, '');
    return { error: `${firstLine}. ${COMMAND} --help lists the options` };
  }
  if (parsed.values.help) return { help: true };
  const settings = {};
  for (const setting of SETTINGS) {
    const flagValue = parsed.values[setting.flag];
    const envValue = env[setting.env];
    let converted;
    if (flagValue !== undefined) converted = convert(setting, flagValue, `--${setting.flag}`);
    else if (envValue !== undefined && envValue !== '') converted = convert(setting, envValue, setting.env);
    else converted = { value: setting.fallback };
    if (converted.error) return { error: converted.error };
    if (converted.value !== undefined) settings[setting.key] = converted.value;
  }
  return { settings, fromFlags: argv.length > 0 };
}
