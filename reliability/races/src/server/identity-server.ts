/**
 * The identity service as the engine meets it (docs/protocol.md), with the
 * behaviour of the emulator's oidc-provider where it matters for races:
 *
 * - POST /identity/sign-in: the trader's password → an identity session (the cookie).
 * - GET /identity/connect/authorize (PKCE S256, state, nonce): with a live identity
 *   session, 303 to the redirect URI with a code, `state` and `iss`; without one, 303 to
 *   /identity/unauthorized.
 * - POST /identity/connect/token, authorization_code: the code once (a second use is
 *   refused and revokes what the first issued), the verifier checked; a new grant.
 * - POST /identity/connect/token, refresh_token: one-time refresh tokens. A live one
 *   rotates (it is consumed, its successor issued in the same grant). A consumed one
 *   presented again is reuse: the whole grant is revoked and `reuseDetected` counts it.
 * - POST /identity/sign-out: a valid bearer; `{refresh_token}` revokes that token,
 *   `{}` every grant of the user; the identity session ends when its cookie came along.
 *
 * Every token answer carries a signed id_token (see id-token.ts). The service keeps
 * the bookkeeping the invariants read: which tab was given and presented which token.
 */
import { createHash } from 'node:crypto';

import { signIdToken } from './id-token';

export const BASE_URL = 'https://b2trader.test';
export const ISSUER = `${BASE_URL}/identity`;
export const REDIRECT_URI = `${BASE_URL}/identity/sign-in-done`;
const UNAUTHORIZED_URI = `${BASE_URL}/identity/unauthorized`;
const SCOPE = 'openid offline_access FrontOffice';

export const TRADER = Object.freeze({
  email: 'trader@example.com',
  password: 'correct horse battery staple',
  id: '10e3bfcf-56f7-421d-84ea-1700209ae121',
  nickname: 'trader',
});

export interface ServerRequest {
  /** The tab that sent it. */
  readonly from: string;
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
  /** The identity-session cookie, when the request carried cookies and the browser has one. */
  readonly cookie: string | null;
}

export interface ServerAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The identity-session cookie after this answer: a new value, null to delete it, undefined to leave it. */
  readonly cookie?: string | null;
  /** Bookkeeping, not sent: the grant whose tokens this answer carries. */
  readonly grant?: string;
}

export interface IdentitySessionRow {
  readonly id: string;
  readonly createdAt: number;
  endedAt?: number;
}

export interface GrantRow {
  readonly id: string;
  readonly identitySession: string;
  readonly createdAt: number;
  revokedAt?: number;
  revokedBecause?: string;
}

export interface RefreshRow {
  readonly token: string;
  readonly grant: string;
  /** Position in its grant's chain of rotations (1 for the code exchange's). */
  readonly generation: number;
  state: 'live' | 'consumed' | 'revoked';
  /** The tab whose request got it, and when the service issued it. */
  readonly issuedTo: string;
  readonly issuedAt: number;
  readonly presentations: { by: string; at: number; outcome: string }[];
}

interface CodeRow {
  readonly identitySession: string;
  readonly challenge: string;
  readonly nonce: string;
  readonly redirectUri: string;
  used: boolean;
  grant?: string;
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): ServerAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
  body: JSON.stringify(body),
});
const redirect = (location: string): ServerAnswer => ({ status: 303, headers: { location }, body: '' });
const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, error_description: description });
/** B2Trader's RFC 7807 answer to a wrong, used or expired code. */
const problem401 = (): ServerAnswer =>
  json(401, { type: 'https://tools.ietf.org/html/rfc7235#section-3.1', title: 'Unauthorized', status: 401 });

export class IdentityServer {
  readonly identitySessions = new Map<string, IdentitySessionRow>();
  readonly grants = new Map<string, GrantRow>();
  readonly refreshTokens = new Map<string, RefreshRow>();
  readonly reuses: { at: number; row: RefreshRow; by: string }[] = [];
  private readonly accessTokens = new Map<string, { grant: string; expiresAt: number }>();
  private readonly codes = new Map<string, CodeRow>();
  private serial = 0;

  constructor(
    private readonly now: () => number,
    /** Access-token lifetime, in seconds (B2Trader: 30). */
    private readonly lifetimeSec: number,
  ) {}

  get reuseDetected(): number {
    return this.reuses.length;
  }

  handle(request: ServerRequest): ServerAnswer {
    const { method, url } = request;
    switch (`${method} ${url.pathname}`) {
      case 'POST /identity/sign-in':
        return this.signIn(request);
      case 'GET /identity/connect/authorize':
        return this.authorize(request);
      case 'POST /identity/connect/token':
        return this.token(request);
      case 'POST /identity/sign-out':
        return this.signOut(request);
      default:
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
    }
  }

  /** The identity session behind a cookie, if it lives. */
  liveIdentitySession(cookie: string | null): IdentitySessionRow | null {
    const row = cookie ? this.identitySessions.get(cookie) : undefined;
    return row && row.endedAt === undefined ? row : null;
  }

  /** The identity session ends on its own (it timed out at the service). */
  endIdentitySession(id: string): void {
    const row = this.identitySessions.get(id);
    if (row && row.endedAt === undefined) row.endedAt = this.now();
  }

  /** Refresh tokens the service would still accept. */
  liveRefreshTokens(): RefreshRow[] {
    return [...this.refreshTokens.values()].filter(
      (row) => row.state === 'live' && this.grants.get(row.grant)?.revokedAt === undefined,
    );
  }

  private id(prefix: string): string {
    this.serial += 1;
    return `${prefix}${this.serial}`;
  }

  private signIn(request: ServerRequest): ServerAnswer {
    let body: { email?: unknown; password?: unknown } = {};
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      // refused below
    }
    if (body.email !== TRADER.email || body.password !== TRADER.password) {
      return json(400, { errors: [{ code: 'SignInUnsuccessful', message: 'The sign-in was unsuccessful' }] });
    }
    const session: IdentitySessionRow = { id: this.id('idsession-'), createdAt: this.now() };
    this.identitySessions.set(session.id, session);
    const account = { id: TRADER.id, email: TRADER.email, nickname: TRADER.nickname };
    return { ...json(200, { secondFactorRequired: false, account }), cookie: session.id };
  }

  private authorize(request: ServerRequest): ServerAnswer {
    const q = request.url.searchParams;
    // The service refuses to redirect to an unregistered place at all.
    if (q.get('client_id') !== 'spa' || q.get('redirect_uri') !== REDIRECT_URI) {
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid client or redirect_uri' };
    }
    const back = new URL(REDIRECT_URI);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const fail = (error: string) => {
      back.searchParams.set('error', error);
      back.searchParams.set('iss', ISSUER);
      return redirect(back.href);
    };
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type');
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return fail('invalid_request');
    const scopes = (q.get('scope') ?? '').split(' ');
    if (scopes.some((scope) => !SCOPE.split(' ').includes(scope))) return fail('invalid_scope');
    const session = this.liveIdentitySession(request.cookie);
    if (!session) return redirect(UNAUTHORIZED_URI);
    const code = this.id('code-');
    this.codes.set(code, {
      identitySession: session.id,
      challenge: q.get('code_challenge')!,
      nonce: q.get('nonce') ?? '',
      redirectUri: REDIRECT_URI,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', SCOPE);
    back.searchParams.set('session_state', `ss-${session.id}`);
    back.searchParams.set('iss', ISSUER);
    return redirect(back.href);
  }

  private token(request: ServerRequest): ServerAnswer {
    const form = new URLSearchParams(request.body);
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.exchangeCode(request, form);
      case 'refresh_token':
        return this.refresh(request, form);
      default:
        return oauthError(400, 'unsupported_grant_type', 'only authorization_code and refresh_token');
    }
  }

  private exchangeCode(request: ServerRequest, form: URLSearchParams): ServerAnswer {
    // `spa` authenticates with Basic and an empty secret (docs/protocol.md §3).
    if (request.headers.get('authorization') !== `Basic ${btoa('spa:')}`) {
      return oauthError(401, 'invalid_client', 'client authentication failed');
    }
    const row = this.codes.get(form.get('code') ?? '');
    if (!row) return problem401();
    if (row.used) {
      // A code used twice: what it issued is revoked (oidc-provider does the same).
      if (row.grant) this.revokeGrant(row.grant, 'authorization code used twice');
      return problem401();
    }
    row.used = true;
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== row.challenge) {
      return oauthError(400, 'invalid_grant', 'PKCE verification failed');
    }
    if (form.get('redirect_uri') !== row.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri mismatch');
    const grant: GrantRow = { id: this.id('grant-'), identitySession: row.identitySession, createdAt: this.now() };
    this.grants.set(grant.id, grant);
    row.grant = grant.id;
    return this.issue(grant, 1, request.from, row.nonce);
  }

  private refresh(request: ServerRequest, form: URLSearchParams): ServerAnswer {
    if (form.get('client_id') !== 'spa') return oauthError(401, 'invalid_client', 'unknown client');
    const token = form.get('refresh_token') ?? '';
    const row = this.refreshTokens.get(token);
    if (!row) return oauthError(400, 'invalid_grant', 'grant request is invalid');
    const grant = this.grants.get(row.grant)!;
    const presented = (outcome: string) => row.presentations.push({ by: request.from, at: this.now(), outcome });
    if (row.state === 'consumed') {
      // Reuse of a rotated token: someone holds a copy. The whole grant goes.
      presented('reuse');
      this.reuses.push({ at: this.now(), row, by: request.from });
      this.revokeGrant(grant.id, 'refresh token reuse');
      return oauthError(400, 'invalid_grant', 'grant request is invalid');
    }
    if (row.state === 'revoked' || grant.revokedAt !== undefined) {
      presented('revoked');
      return oauthError(400, 'invalid_grant', 'grant request is invalid');
    }
    presented('rotated');
    row.state = 'consumed';
    return this.issue(grant, row.generation + 1, request.from);
  }

  private issue(grant: GrantRow, generation: number, to: string, nonce?: string): ServerAnswer {
    const now = this.now();
    const accessToken = this.id(`at-${grant.id}-`);
    this.accessTokens.set(accessToken, { grant: grant.id, expiresAt: now + this.lifetimeSec * 1000 });
    const refreshToken = this.id(`rt-${grant.id}-`);
    this.refreshTokens.set(refreshToken, {
      token: refreshToken,
      grant: grant.id,
      generation,
      state: 'live',
      issuedTo: to,
      issuedAt: now,
      presentations: [],
    });
    const iat = Math.floor(now / 1000);
    const idToken = signIdToken({
      iss: ISSUER,
      sub: TRADER.id,
      aud: 'spa',
      iat,
      exp: iat + 3600,
      sid: grant.identitySession,
      ...(nonce ? { nonce } : {}),
    });
    const body = {
      id_token: idToken,
      access_token: accessToken,
      expires_in: this.lifetimeSec,
      token_type: 'Bearer',
      refresh_token: refreshToken,
      scope: SCOPE,
    };
    return { ...json(200, body), grant: grant.id };
  }

  private signOut(request: ServerRequest): ServerAnswer {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    const access = bearer ? this.accessTokens.get(bearer) : undefined;
    // Access tokens are JWTs: valid until they expire, whatever happened to their grant.
    if (!access || access.expiresAt <= this.now()) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: '' };
    }
    let body: { refresh_token?: unknown } = {};
    try {
      body = JSON.parse(request.body || '{}') as typeof body;
    } catch {
      return json(400, {
        errors: [{ code: 'InvalidRequest', message: 'The body must be {} or {"refresh_token": "..."}' }],
      });
    }
    if (typeof body.refresh_token === 'string') {
      const row = this.refreshTokens.get(body.refresh_token);
      if (row?.state === 'live') row.state = 'revoked';
    } else {
      for (const grant of this.grants.values()) this.revokeGrant(grant.id, 'sign-out of every grant');
    }
    const session = this.liveIdentitySession(request.cookie);
    if (session) session.endedAt = this.now();
    return { status: 204, headers: {}, body: '', cookie: request.cookie ? null : undefined };
  }

  private revokeGrant(id: string, because: string): void {
    const grant = this.grants.get(id);
    if (!grant || grant.revokedAt !== undefined) return;
    grant.revokedAt = this.now();
    grant.revokedBecause = because;
    for (const row of this.refreshTokens.values()) if (row.grant === id && row.state === 'live') row.state = 'revoked';
  }
}
