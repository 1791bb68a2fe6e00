/**
 * The answers of `ng add` turned into the config object literal the app's code gets,
 * checked first so that a typo fails here and not at the app's start-up.
 */
import { SchematicsException } from '@angular-devkit/schematics';

/** The three settings `ng add` asks for. */
export interface ConfigAnswers {
  url: string;
  clientId: string;
  apis: string;
}

/** A TypeScript string literal in single quotes, as Prettier and the CLI write them. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** The `apis` answer (comma-separated) as a list: blanks and empty entries dropped. */
export function parseApis(apis: string): string[] {
  return apis
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** A path on the app's own origin, or an absolute http(s) URL: what `url` and `apis` entries accept. */
function isPathOrHttpUrl(value: string): boolean {
  if (value.startsWith('/')) return !value.startsWith('//');
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** Throws the message a developer can act on when an answer cannot work. */
export function checkAnswers({ url, clientId, apis }: ConfigAnswers): void {
  if (!isPathOrHttpUrl(url.trim())) {
    throw new SchematicsException(`"url" ${url} is neither a path on the app's origin (/) nor an http(s) URL.`);
  }
  if (!/^[\w.-]+$/.test(clientId.trim())) {
    throw new SchematicsException(`"clientId" ${JSON.stringify(clientId)} is not a client id (for example spa).`);
  }
  for (const entry of parseApis(apis)) {
    if (!isPathOrHttpUrl(entry)) {
      throw new SchematicsException(`"apis" entry ${entry} is neither a path starting with / nor an http(s) URL.`);
    }
  }
}

/** `{ url: '/', clientId: 'spa', apis: ['/api/'] }`: the argument of `provideIdentityAuth()` and `forRoot()`. */
export function configLiteral({ url, clientId, apis }: ConfigAnswers): string {
  const list = parseApis(apis).map(stringLiteral).join(', ');
  return `{ url: ${stringLiteral(url.trim())}, clientId: ${stringLiteral(clientId.trim())}, apis: [${list}] }`;
}
