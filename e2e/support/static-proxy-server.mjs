// One loopback origin for a built Angular app: its files, with index.html for every
// in-app route, and /identity, /api and /__ passed through to the identity emulator,
// as production serves them (same origin, no CORS).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const PROXIED = /^\/(?:(?:identity|api)(?:\/|$)|__)/;

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The file a request path names inside `root`, or undefined when it would leave `root`. */
export function fileForPath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

async function isFile(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function forward(req, res, target) {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  upstream.on('error', () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { 'content-type': 'text/plain' }).end('e2e proxy: the identity emulator is not answering');
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/**
 * Starts the server on 127.0.0.1.
 * @param {{ root: string, port?: number, routes?: Record<string, (req, res) => void>, headers?: (file: string) => Record<string, string> }} options
 *   `routes`: exact paths answered by a handler (e.g. a generated config file);
 *   `headers`: extra headers for a file answer (e.g. a Content-Security-Policy on index.html).
 * @returns {Promise<{ url: string, port: number, proxyTo(url: string): void, close(): Promise<void> }>}
 */
export async function startStaticProxyServer({ root, port = 0, routes = {}, headers = () => ({}) }) {
  const base = normalize(root);
  let target;
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://local');
    if (PROXIED.test(pathname)) {
      if (!target) return res.writeHead(503).end('e2e proxy: no emulator yet');
      return forward(req, res, target);
    }
    if (routes[pathname]) return routes[pathname](req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405).end();
    let file = fileForPath(base, pathname);
    if (!file || !(await isFile(file))) {
      // an in-app route: the app's router takes it from index.html; a missing asset is a 404
      if (extname(pathname)) return res.writeHead(404).end();
      file = join(base, 'index.html');
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const cache = file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600';
    res.writeHead(200, { 'content-type': type, 'cache-control': cache, ...headers(file) });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    proxyTo(url) {
      target = new URL(url);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
