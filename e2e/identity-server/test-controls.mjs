// Test controls (only with IDENTITY_TEST_CONTROLS=1): counters, and faults that
// make the next N requests to a path misbehave the ways a real network and server can.
import { createPrivateKey, sign as rsaSign } from 'node:crypto';

import { applyEdits, editsProblem } from './edits.mjs';
import { readJson, sendHtml, sendJson } from './http-util.mjs';

const FAULT_MODES = [
  'html',
  'rate-limit',
  'delay',
  'delay-answer',
  'hang',
  'stall-body',
  'truncated-json',
  'drop',
  'commit-then-drop',
  'respond',
  'mutate-json',
  'id-token',
  'mutate-redirect',
  'crash',
];

/** Counters the tests read back through GET /__stats. */
export function createStats() {
  let counters = {};
  let tokenRequests = {};
  let requests = {};
  return {
    /** every request, faulted or not, by "METHOD /path" */
    countRequest(method, path) {
      const key = `${method} ${path}`;
      requests[key] = (requests[key] ?? 0) + 1;
    },
    count(name, by = 1) {
      counters[name] = (counters[name] ?? 0) + by;
    },
    countTokenRequest(grantType) {
      const key = grantType || 'missing';
      tokenRequests[key] = (tokenRequests[key] ?? 0) + 1;
    },
    snapshot() {
      return {
        requests: { ...requests },
        tokenRequests: { ...tokenRequests },
        refreshReuseDetected: counters.refreshReuseDetected ?? 0,
        api: { ok: counters.api200 ?? 0, unauthorized: counters.api401 ?? 0, forbidden: counters.api403 ?? 0 },
        signIn: { succeeded: counters.signInSucceeded ?? 0, failed: counters.signInFailed ?? 0 },
        revoked: { refreshTokens: counters.refreshTokensRevoked ?? 0, grants: counters.grantsRevoked ?? 0 },
        faultsApplied: counters.faultsApplied ?? 0,
      };
    },
    reset() {
      counters = {};
      tokenRequests = {};
      requests = {};
    },
  };
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateFault(spec) {
  if (!isObject(spec)) return 'the body must be a JSON object';
  if (typeof spec.path !== 'string' || !spec.path.startsWith('/'))
    return '"path" must be an absolute path such as /identity/connect/token';
  if (!FAULT_MODES.includes(spec.mode)) return `"mode" must be one of ${FAULT_MODES.join(', ')}`;
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0))
    return '"count" must be a positive integer';
  if (spec.mode === 'delay' && !(Number.isFinite(spec.ms) && spec.ms >= 0)) return '"delay" needs "ms"';
  if (spec.mode === 'delay-answer' && !(Number.isFinite(spec.ms) && spec.ms >= 0)) return '"delay-answer" needs "ms"';
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 200 && spec.status <= 599))
    return '"status" must be an integer from 200 to 599';
  if (spec.method !== undefined && !/^[A-Z]+$/.test(spec.method)) return '"method" must be an HTTP method such as POST';
  const problem = editsProblem(spec);
  if (problem) return problem;
  if (spec.append !== undefined && !isObject(spec.append)) return '"append" must be an object of names and values';
  if (spec.origin !== undefined && !URL.canParse(spec.origin)) return '"origin" must be an absolute URL';
  if (spec.headers !== undefined) {
    if (typeof spec.headers !== 'object' || spec.headers === null) return '"headers" must be an object';
    for (const [name, value] of Object.entries(spec.headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || typeof value !== 'string' || /[\r\n]/.test(value))
        return `header "${name}" is not a valid header`;
    }
  }
  return undefined;
}

function base64url(input) {
  return Buffer.from(input).toString('base64url');
}

/** `<signingInput>.<RS256 signature>` with the emulator's key. */
function signParts(signingInput, privateJwk) {
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  return `${signingInput}.${rsaSign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')}`;
}

function signJwt(header, payload, privateJwk) {
  return signParts(`${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`, privateJwk);
}

/** Rewrites an id_token: changed claims re-signed with the emulator's key, or broken on purpose. */
function rewriteIdToken(idToken, fault, privateJwk) {
  const [h, p] = idToken.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  applyEdits(payload, fault);
  if (fault.shape === 'alg-none') {
    return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.`;
  }
  if (fault.shape === 'two-part') {
    return `${h}.${base64url(JSON.stringify(payload))}`;
  }
  const payloadPart =
    fault.shape === 'payload-not-json' ? base64url('this is not json') : base64url(JSON.stringify(payload));
  return signParts(`${h}.${payloadPart}`, privateJwk);
}

function rewriteLocation(location, fault) {
  const url = new URL(location);
  applyEdits(
    url.searchParams,
    fault,
    (k, v) => url.searchParams.set(k, v),
    (k) => url.searchParams.delete(k),
  );
  for (const [k, v] of Object.entries(fault.append ?? {})) url.searchParams.append(k, v);
  if (fault.pathname) url.pathname = fault.pathname;
  if (fault.origin) return new URL(`${url.pathname}${url.search}`, fault.origin).href;
  return url.href;
}

/** Applies `change` to a JSON object body; any other body passes through untouched. */
function rewriteJson(body, change) {
  let json;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (typeof json !== 'object' || json === null) return body;
  change(json);
  return Buffer.from(JSON.stringify(json));
}

/**
 * Lets the real handler answer, then hands its body (and headers) to `transform`
 * before anything reaches the socket. `transform` returns the body to send, or
 * `undefined` to send nothing, or `{ partial, length }` to declare `length` bytes,
 * send `partial` and never end.
 */
function interceptResponse(res, transform) {
  const chunks = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    if (chunk) chunks.push(Buffer.from(chunk));
    const cb = rest.find((a) => typeof a === 'function');
    if (cb) cb();
    return true;
  };
  res.end = (chunk) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const body = transform(Buffer.concat(chunks));
    if (body === undefined) return res;
    if (Buffer.isBuffer(body)) {
      if (!res.headersSent) res.setHeader('content-length', body.length);
      write(body);
      return end();
    }
    if (!res.headersSent) res.setHeader('content-length', body.length);
    write(body.partial);
    return res;
  };
}

/**
 * Lets the real handler answer at once, and sends that answer (status, headers and
 * body unchanged) `ms` later: whatever the handler did has happened meanwhile.
 * `held` learns when the answer is ready and held (true) and when it is gone (false).
 */
function holdResponse(res, ms, held) {
  const chunks = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const cb = rest.find((a) => typeof a === 'function');
    if (cb) cb();
    return true;
  };
  res.end = (chunk) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    held(true);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held(false);
    };
    const timer = setTimeout(() => {
      release();
      if (res.destroyed) return;
      if (!res.headersSent) res.setHeader('content-length', body.length);
      write(body);
      end();
    }, ms);
    res.on('close', () => {
      clearTimeout(timer);
      release();
    });
    return res;
  };
}

/**
 * @param {{ stats: ReturnType<typeof createStats>, privateJwk: object }} deps
 */
export function createTestControls({ stats, privateJwk, issuer, audience }) {
  /** @type {Array<object & { remaining: number }>} */
  let faults = [];
  const hanging = new Set();
  /** answers of `delay-answer` faults that are ready and held back now */
  let heldAnswers = 0;

  /** The next fault armed for this request; CORS preflights only when asked for. */
  function take(method, path) {
    const index = faults.findIndex((f) => f.path === path && (f.method ? f.method === method : method !== 'OPTIONS'));
    if (index < 0) return undefined;
    const fault = faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    stats.count('faultsApplied');
    return fault;
  }

  /**
   * Applies a fault to one request. Resolves true when the real handler should
   * still run (delay, or a fault that rewrites its answer).
   */
  async function apply(fault, req, res) {
    switch (fault.mode) {
      case 'html':
        sendHtml(
          res,
          fault.status ?? 502,
          `<html><head><title>${fault.status ?? 502} Bad Gateway</title></head><body><center><h1>${fault.status ?? 502} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`,
        );
        return false;
      case 'rate-limit':
        sendHtml(res, 429, '<html><body><h1>429 Too Many Requests</h1></body></html>', {
          'retry-after': String(fault.retryAfter ?? '1'),
        });
        return false;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return true;
      case 'delay-answer':
        // the real handler runs now (a refresh rotates at once); its answer leaves `ms` later
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        holdResponse(res, fault.ms, (isHeld) => (heldAnswers += isHeld ? 1 : -1));
        return true;
      case 'hang':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return false;
      case 'drop':
        req.socket.destroy();
        return false;
      case 'stall-body':
        // the real headers and half of the real body, then nothing
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        interceptResponse(res, (body) => ({
          partial: body.subarray(0, Math.floor(body.length / 2)),
          length: body.length,
        }));
        return true;
      case 'respond': {
        const hasJson = Object.hasOwn(fault, 'json');
        const body = hasJson ? JSON.stringify(fault.json) : String(fault.body ?? '');
        res.writeHead(fault.status ?? 200, {
          'content-type':
            fault.contentType ?? (hasJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8'),
          'content-length': Buffer.byteLength(body),
          ...(fault.headers ?? {}),
        });
        res.end(body);
        return false;
      }
      case 'commit-then-drop':
        interceptResponse(res, () => {
          req.socket.destroy();
          return undefined;
        });
        return true;
      case 'truncated-json':
        interceptResponse(res, (body) => body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
        return true;
      case 'mutate-json':
        interceptResponse(res, (body) => rewriteJson(body, (json) => applyEdits(json, fault)));
        return true;
      case 'id-token':
        interceptResponse(res, (body) =>
          rewriteJson(body, (json) => {
            if (typeof json.id_token === 'string') json.id_token = rewriteIdToken(json.id_token, fault, privateJwk);
          }),
        );
        return true;
      case 'mutate-redirect':
        interceptResponse(res, (body) => {
          const location = res.getHeader('location');
          if (typeof location === 'string') res.setHeader('location', rewriteLocation(location, fault));
          return body;
        });
        return true;
      case 'crash':
        // as a bug in the server would: the emulator's own 500 (and log line)
        throw new Error(`test fault "crash" on ${req.method} ${fault.path}`);
      default:
        return true;
    }
  }

  async function handle(req, res, url) {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /__stats') return sendJson(res, 200, stats.snapshot());
    if (route === 'POST /__stats/reset') {
      stats.reset();
      return sendJson(res, 200, stats.snapshot());
    }
    if (route === 'POST /__tokens') {
      // an access token signed with the emulator's key, with claims changed or removed
      const spec = await readJson(req);
      const problem = isObject(spec) ? editsProblem(spec) : 'the body must be a JSON object';
      if (problem) return sendJson(res, 400, { error: problem });
      if (spec.header !== undefined && !isObject(spec.header))
        return sendJson(res, 400, { error: '"header" must be an object' });
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        jti: `minted-${now}-${Math.random().toString(36).slice(2)}`,
        sub: '10e3bfcf-56f7-421d-84ea-1700209ae121',
        iat: now,
        exp: now + 30,
        scope: 'FrontOffice',
        client_id: 'spa',
        iss: issuer,
        aud: audience,
      };
      applyEdits(claims, spec);
      return sendJson(res, 201, {
        access_token: signJwt(
          { alg: 'RS256', typ: 'at+jwt', kid: privateJwk.kid, ...(spec.header ?? {}) },
          claims,
          privateJwk,
        ),
      });
    }
    if (route === 'GET /__faults') return sendJson(res, 200, { faults, heldAnswers });
    if (route === 'DELETE /__faults') {
      faults = [];
      return sendJson(res, 200, { faults });
    }
    if (route === 'POST /__faults') {
      const spec = await readJson(req);
      const problem = validateFault(spec);
      if (problem) return sendJson(res, 400, { error: problem });
      const fault = { ...spec, remaining: spec.count ?? 1 };
      faults.push(fault);
      return sendJson(res, 201, { fault });
    }
    return sendJson(res, 404, { error: 'unknown test control' });
  }

  return {
    take,
    apply,
    handle,
    /** ends hanging requests so that the server can close */
    releaseHanging() {
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
  };
}
