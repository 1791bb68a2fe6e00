// The app's Node server with plain node:http: the browser build's files, the identity
// service and the API passed through to IDENTITY_UPSTREAM (one origin, as in production),
// and every other request rendered (or served prerendered) by Angular.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  AngularNodeAppEngine,
  createNodeRequestHandler,
  isMainModule,
  writeResponseToNodeResponse,
} from '@angular/ssr/node';

const BROWSER_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../browser');
/** What goes to the identity service's origin: its paths, the API, the emulator's test controls. */
const PROXIED = /^\/(?:(?:identity|api)(?:\/|$)|__)/;
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const engine = new AngularNodeAppEngine();

/** A built file for `pathname` (never an HTML page: Angular answers those), or undefined. */
async function builtFile(pathname: string): Promise<string | undefined> {
  if (!extname(pathname) || pathname.endsWith('.html')) return undefined;
  let file: string;
  try {
    file = normalize(join(BROWSER_DIST, decodeURIComponent(pathname)));
  } catch {
    return undefined;
  }
  if (!file.startsWith(BROWSER_DIST + sep)) return undefined;
  return (await stat(file).catch(() => null))?.isFile() ? file : undefined;
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  req.pipe(upstream);
}

async function handle(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): Promise<void> {
  try {
    const { pathname } = new URL(req.url ?? '/', 'http://server');
    const upstream = process.env['IDENTITY_UPSTREAM'];
    if (PROXIED.test(pathname) && upstream) return forward(req, res, new URL(upstream));
    const file = await builtFile(pathname);
    if (file) {
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      });
      createReadStream(file).pipe(res);
      return;
    }
    const response = await engine.handle(req);
    if (response) await writeResponseToNodeResponse(response, res);
    else next();
  } catch (error) {
    next(error);
  }
}

/** The request handler the Angular CLI's dev server and build tools use. */
export const reqHandler = createNodeRequestHandler(handle);

if (isMainModule(import.meta.url)) {
  const port = Number(process.env['PORT'] ?? 4000);
  const server = createServer((req, res) =>
    handle(req, res, (error) => {
      if (error) console.error(error);
      if (!res.headersSent) res.writeHead(error ? 500 : 404, { 'content-type': 'text/plain' });
      res.end();
    }),
  );
  server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
}
