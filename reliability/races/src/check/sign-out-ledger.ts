/**
 * Invariant (c)'s bookkeeping: what each sign-out dooms, and what outlives it.
 *
 * At a sign-out the session's grants are every grant that a live tab, a persistent
 * store, a channel message or an answer on its way to a live tab held; every grant
 * made later with the browser's identity session belongs to it too (a refresh or
 * re-authorize that was in flight) — until the trader's next login finishes: that
 * login's grant, and what tabs make from then on, are the new session's. A token whose answer never reached the library (lost, or
 * arriving after the request's time limit) cannot be revoked by it and is left out; so is one
 * stranded in a page that closed without reaching the service again after it arrived, while no
 * other tab, store or message held it (that page's memory was its only copy).
 */
import type { Browser } from '../browser/browser';
import type { Tab } from '../browser/tab';
import type { RefreshRow } from '../server/identity-server';

interface SignOut {
  readonly at: number;
  readonly tab: string;
  readonly grants: Set<string>;
  /** The browser's identity session then (older ones lost their cookie to a newer sign-in). */
  readonly identitySession: string | null;
  /** Refresh tokens the tabs held at that moment. */
  readonly held: Set<string>;
  /** When the trader's next login finished: grants made from then on are the new session's. */
  loginAfter?: number;
}

export interface Leftover {
  readonly message: string;
  /** Moments of the run that tell its story. */
  readonly focus: number[];
}

export class SignOutLedger {
  /** A sign-out was asked for and no login has finished since. */
  signedOut = false;
  /** Sessions (the engine's `sessionId`) some tab held at a sign-out: their end is the sign-out's. */
  readonly signedOutSessions = new Set<string>();
  private readonly signOuts: SignOut[] = [];
  private readonly loggedInGrants = new Set<string>();
  private readonly received = new Set<string>();
  private readonly sentAt = new Map<string, number>();
  private readonly travelling = new Map<string, Set<string>>();
  /** Per refresh token: the tab it reached, and how many answers that tab had heard by then. */
  private readonly receivedBy = new Map<string, { tab: string; heard: number }>();
  /** Per tab: how many answers from the service it has heard. */
  private readonly answers = new Map<string, number>();
  private readonly stranded = new Set<string>();

  constructor(private readonly browser: Browser) {}

  get lastSignOutAt(): number | undefined {
    return this.signOuts.at(-1)?.at;
  }

  /**
   * Grants the library ended on purpose, from that moment: a login replaced their session, a
   * tab moved on from them to another grant, or their session expired in the tab that held them.
   */
  private readonly replaced = new Map<string, number>();
  /** Per tab, the grant of its record after the last step. */
  private readonly lastGrant = new Map<string, string>();

  signOutAsked(tab: Tab): void {
    const { server, jar, scheduler } = this.browser;
    const { grants, held, sessions } = this.holdings();
    sessions.forEach((id) => this.signedOutSessions.add(id));
    const identitySession = server.liveIdentitySession(jar.cookie)?.id ?? null;
    this.signOuts.push({ at: scheduler.now, tab: tab.id, grants, identitySession, held });
    this.signedOut = true;
  }

  /** The grants (and refresh tokens) held now: by live tabs, persistent stores, messages and answers on their way. */
  private holdings(): { grants: Set<string>; held: Set<string>; sessions: Set<string> } {
    const { server, live } = this.browser;
    const grants = new Set<string>();
    const held = new Set<string>();
    const sessions = new Set<string>();
    const add = (token: string | undefined) => {
      const grant = token ? server.refreshTokens.get(token)?.grant : undefined;
      if (grant) grants.add(grant);
      if (token) held.add(token);
    };
    for (const other of live) {
      const record = other.state.record();
      add(record?.refreshToken);
      if (record) sessions.add(record.sessionId);
    }
    this.browser.persistedRefreshTokens().forEach(add);
    // Records on their way to a tab in a channel message (a frozen tab's queue holds them).
    for (const { to, data } of this.browser.hub.travelling) {
      if (live.some((t) => t.id === to)) add((data as { record?: { refreshToken?: string } }).record?.refreshToken);
    }
    for (const [grant, tabs] of this.travelling) {
      if ([...tabs].some((id) => live.some((t) => t.id === id))) grants.add(grant);
    }
    return { grants, held, sessions };
  }

  /** A login finished in `tab`: the trader's session, whatever sign-out came before. */
  loggedIn(tab: Tab): void {
    const grant = this.browser.server.refreshTokens.get(tab.state.record()?.refreshToken ?? '')?.grant;
    // The session the tabs held before is replaced: the login ends its grants, as a sign-out would.
    for (const old of this.holdings().grants)
      if (old !== grant && !this.replaced.has(old)) this.replaced.set(old, this.browser.scheduler.now);
    this.signedOut = false;
    for (const signOut of this.signOuts) signOut.loginAfter ??= this.browser.scheduler.now;
    if (grant) this.loggedInGrants.add(grant);
  }

  presented(token: string): void {
    if (!this.sentAt.has(token)) this.sentAt.set(token, this.browser.scheduler.now);
  }

  /**
   * After every step: which grant each tab holds. A tab that moved to another grant (a heal's
   * silent authorize, a login, another tab's new session) left the one before to the library
   * to end.
   */
  noteRecords(): void {
    for (const tab of this.browser.live) {
      const grant = this.browser.server.refreshTokens.get(tab.state.record()?.refreshToken ?? '')?.grant;
      if (!grant) continue;
      const before = this.lastGrant.get(tab.id);
      if (before && before !== grant && !this.replaced.has(before))
        this.replaced.set(before, this.browser.scheduler.now);
      this.lastGrant.set(tab.id, grant);
    }
  }

  /** `tab`'s session expired there: the grant it held is over. */
  expired(tab: Tab): void {
    const grant = this.lastGrant.get(tab.id);
    if (grant && !this.replaced.has(grant)) this.replaced.set(grant, this.browser.scheduler.now);
  }

  /** An answer from the service reached `tab` (it could reach the service). */
  heard(tab: string): void {
    this.answers.set(tab, (this.answers.get(tab) ?? 0) + 1);
  }

  /** A refresh token reached `tab`'s engine. */
  delivered(token: string, tab: string): void {
    this.received.add(token);
    this.receivedBy.set(token, { tab, heard: this.answers.get(tab) ?? 0 });
  }

  /**
   * `tab` closed: refresh tokens it received and could not have told the service of since (no
   * answer reached it after them), which no other tab, store or message holds, died with it —
   * unless the browser's identity session lives: its bearer can still revoke every token of
   * the trader, and a later delivery must.
   */
  closed(tab: Tab): void {
    const { live, hub, server, jar } = this.browser;
    if (server.liveIdentitySession(jar.cookie)) return;
    const known = new Set(this.browser.persistedRefreshTokens());
    for (const other of live) if (other !== tab) known.add(other.state.record()?.refreshToken ?? '');
    for (const { to, data } of hub.travelling) {
      if (to !== tab.id) known.add((data as { record?: { refreshToken?: string } }).record?.refreshToken ?? '');
    }
    const heard = this.answers.get(tab.id) ?? 0;
    for (const [token, by] of this.receivedBy) {
      if (by.tab === tab.id && by.heard === heard && !known.has(token)) this.stranded.add(token);
    }
  }

  inFlight(tab: string, grant: string, travelling: boolean): void {
    let tabs = this.travelling.get(grant);
    if (!tabs) this.travelling.set(grant, (tabs = new Set()));
    if (travelling) tabs.add(tab);
    else tabs.delete(tab);
  }

  /**
   * Whether a sign-out (or a login that replaced its session) before `at` dooms `grant`: a reuse
   * of it then is the library ending a refresh token whose fate it could not know. A later login does not lift it: the
   * grant stays the ended session's (its reuse revokes that grant only), and a tab that held
   * one of its tokens may still be ending it after the trader signed in again.
   */
  dooms(grant: string, at: number): boolean {
    if ((this.replaced.get(grant) ?? Infinity) <= at) return true;
    return this.signOuts.some((signOut) => signOut.at <= at && this.doomed(signOut).has(grant));
  }

  /** The grants a sign-out ends: those held at it, and those its identity session made until the next login. */
  private doomed(signOut: SignOut): Set<string> {
    const doomed = new Set(signOut.grants);
    for (const grant of this.browser.server.grants.values()) {
      const madeMeanwhile = grant.createdAt > signOut.at && grant.createdAt < (signOut.loginAfter ?? Infinity);
      if (madeMeanwhile && grant.identitySession === signOut.identitySession) doomed.add(grant.id);
    }
    return doomed;
  }

  /** What outlived the sign-outs at the end of the run, once the service can be reached. */
  leftovers(): Leftover[] {
    const { server, trace } = this.browser;
    const found: Leftover[] = [];
    for (const signOut of this.signOuts) {
      const doomed = this.doomed(signOut);
      for (const row of server.liveRefreshTokens()) {
        if (!doomed.has(row.grant) || this.loggedInGrants.has(row.grant) || !this.received.has(row.token)) continue;
        if (this.stranded.has(row.token)) continue;
        found.push({
          message:
            `${row.token} (${row.grant}, generation ${row.generation}, issued to ${row.issuedTo} at ` +
            `${trace.time(row.issuedAt)}; ${this.howDoomed(row, signOut)}) is still live at the service ` +
            `after the sign-out in ${signOut.tab} at ${trace.time(signOut.at)}`,
          focus: [signOut.at, row.issuedAt],
        });
      }
    }
    // The browser must hold no live identity session from before the last sign-out (a newer
    // sign-in's is the trader's doing, even when the rest of that login failed).
    const last = this.signOuts.at(-1);
    const cookie = server.liveIdentitySession(this.browser.jar.cookie);
    if (this.signedOut && last && cookie && cookie.createdAt <= last.at) {
      found.push({
        message: `the identity session ${cookie.id} still lives at the end, after the sign-out in ${last.tab}`,
        focus: [last.at],
      });
    }
    return found;
  }

  /** How a refresh token that outlived a sign-out came to belong to the signed-out session. */
  private howDoomed(row: RefreshRow, signOut: SignOut): string {
    if (signOut.held.has(row.token)) return 'held by a tab at the sign-out';
    const predecessor = [...this.browser.server.refreshTokens.values()].find(
      (r) => r.grant === row.grant && r.generation === row.generation - 1,
    );
    const sent = predecessor ? this.sentAt.get(predecessor.token) : undefined;
    if (sent !== undefined && sent <= signOut.at) {
      return `rotated by a refresh in flight at the sign-out (sent at ${this.browser.trace.time(sent)})`;
    }
    return row.issuedAt > signOut.at
      ? 'made after the sign-out'
      : 'of a grant a tab held, or was being sent, at the sign-out';
  }
}
