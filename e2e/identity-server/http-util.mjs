// Small helpers for the plain node:http handlers of the emulator.

const BODY_LIMIT = 64 * 1024;

/** Reads a request body (bounded). */
export async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body; undefined when it is empty or not JSON. */
export async function readJson(req) {
  const raw = (await readBody(req)).toString('utf8');
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

// Headers go through setHeader (not writeHead) so that a test fault can still
// rewrite the body and its length before anything is sent.
function send(res, status, body, headers) {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

export function sendJson(res, status, body, headers = {}) {
  send(res, status, JSON.stringify(body), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
}

export function sendHtml(res, status, html, headers = {}) {
  send(res, status, html, { 'content-type': 'text/html; charset=utf-8', ...headers });
}

export function sendText(res, status, text, headers = {}) {
  send(res, status, text, { 'content-type': 'text/plain; charset=utf-8', ...headers });
}

export function sendEmpty(res, status, headers = {}) {
  send(res, status, '', headers);
}
