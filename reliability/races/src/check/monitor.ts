/**
 * The invariants, checked while a run goes (after every event, at every request) and
 * once at its end. Each violation names its invariant:
 *
 * (a) No refresh token is presented after the service consumed it (reuse). None of
 *     the modelled faults makes this unavoidable: a fault either strikes before the
 *     service takes the token (503, 429, a dropped request — presenting it again is
 *     no reuse) or after it rotated (a lost answer — the library cannot know, and must
 *     not present the token again; the identity-session cookie heals the session). So
 *     the service must never see a reuse.
 * (b) Without Web Locks no two tabs hold the same refresh token.
 * (c) After signOut() no tab is signed in again (a `signedIn` in any tab) until the
 *     trader logs in; at the end no tab is signed in; and once the service can be
 *     reached (the end of the run) it holds no live refresh token of the signed-out
 *     session's grants, including one rotated by a refresh in flight, and the identity
 *     session is over (see sign-out-ledger.ts for what a sign-out dooms).
 * (d) A session never ends in a tab (it held tokens, now it holds none) without a
 *     sign-out while the identity-session cookie lives: a blip is retried, a spent grant healed.
 * (e) In a run without faults, no refresh token is presented twice (one token request
 *     per rotation).
 * (f) A tab sends no token request but a login's before its retry clocks allow: the
 *     `Retry-After` of a 429/503 it got, and while it has a session the `retryInMs`
 *     of its last transient `refreshFailed` (see retry-clock.ts).
 * (g) At the end of the run, after a quiet period without faults, every signed-in tab
 *     holds an access token that has not expired (every way a session enters a tab
 *     schedules its refresh).
 * (h) The browser comes to rest: no endless chain of events (a timer or message loop).
 */
import type { IdentityAuthEvent } from '@engine/session/identity-auth-events';

import type { Browser } from '../browser/browser';
import type { Tab } from '../browser/tab';
import type { RequestKind } from '../server/faults';
import type { ServerAnswer } from '../server/identity-server';
import { RetryClocks } from './retry-clock';
import { SignOutLedger } from './sign-out-ledger';

export type InvariantId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h';

export interface Violation {
  readonly invariant: InvariantId;
  readonly message: string;
  /** The trace when it was seen (the lines before tell the story). */
  readonly trace: string[];
}

const TRACE_AT_VIOLATION = 80;

export class Monitor {
  readonly violations: Violation[] = [];
  private readonly signOuts: SignOutLedger;
  private readonly retryClocks = new RetryClocks();
  private reusesSeen = 0;
  /** Refresh tokens seen in two tabs at once (reported once each). */
  private readonly shared = new Set<string>();
  /** The session each tab held after the last step. */
  private readonly heldSession = new Map<string, string>();
  /** Sessions that ended somewhere: a tab that learns of it later only follows. */
  private readonly endedSessions = new Set<string>();

  constructor(private readonly browser: Browser) {
    this.signOuts = new SignOutLedger(browser);
  }

  // Hooks of the commands

  signOutAsked(tab: Tab): void {
    this.signOuts.signOutAsked(tab);
  }

  // What the tabs and the network report

  onEvent(tab: Tab, event: IdentityAuthEvent): void {
    const { trace } = this.browser;
    trace.log(tab.id, `event ${describeEvent(event)}`);
    // New tokens in this tab: whatever failed before is over.
    if (event.type === 'signedIn' || event.type === 'refreshed') this.retryClocks.reset(tab.id);
    switch (event.type) {
      case 'signedIn':
        if (tab.loginsInFlight > 0 && event.via === 'login' && event.origin === 'this-tab') {
          // The trader signed in (again: a login that began before a sign-out may end after it).
          this.signOuts.loggedIn(tab);
        } else if (this.signOuts.signedOut) {
          this.violate('c', `${tab.id} is signed in again (via ${event.via}, ${event.origin}) after a sign-out`);
        }
        break;
      case 'sessionExpired':
        if (event.origin === 'this-tab') this.signOuts.expired(tab);
        break;
      case 'refreshFailed':
        if (event.transient && event.retryInMs !== undefined) {
          const until = this.browser.scheduler.now + event.retryInMs;
          this.retryClocks.engineSaid(tab.id, until, `the engine's backoff (retryInMs ${event.retryInMs})`);
        }
        break;
      default:
        break;
    }
  }

  onOnline(tab: Tab): void {
    this.retryClocks.reset(tab.id);
  }

  sent(tabId: string, kind: RequestKind, body: URLSearchParams): void {
    const tab = this.browser.tabs.find((t) => t.id === tabId)!;
    const token = body.get('refresh_token');
    if (kind === 'refresh' && token) this.signOuts.presented(token);
    const detail = kind === 'refresh' && token ? ` presenting ${token}` : '';
    this.browser.trace.log(tabId, `sends ${kind}${detail}`);
    const early = this.isRefresh(tabId, kind)
      ? this.retryClocks.tooEarly(tabId, this.browser.scheduler.now, tab.state?.record() != null)
      : null;
    if (early) this.violate('f', `${tabId} sent a ${kind} token request ${early}`);
  }

  answered(tabId: string, kind: RequestKind, answer: ServerAnswer): void {
    this.signOuts.heard(tabId);
    const token = /"refresh_token":"([^"]+)"/.exec(answer.body)?.[1];
    if (token) this.signOuts.delivered(token, tabId);
    const retryAfter = Number(answer.headers['retry-after']);
    if (this.isRefresh(tabId, kind) && (answer.status === 429 || answer.status >= 500) && retryAfter > 0) {
      const until = this.browser.scheduler.now + retryAfter * 1000;
      this.retryClocks.serviceSaid(tabId, until, `the service's Retry-After: ${retryAfter} on a ${answer.status}`);
    }
  }

  /** A tab is closed (its page gone). */
  closed(tab: Tab): void {
    this.signOuts.closed(tab);
  }

  inFlight(tab: string, grant: string, travelling: boolean): void {
    this.signOuts.inFlight(tab, grant, travelling);
  }

  /** After every event: the invariants that hold at every step. */
  afterStep(): void {
    const { server, live, options } = this.browser;
    this.signOuts.noteRecords();
    for (const reuse of server.reuses.slice(this.reusesSeen)) {
      // A sign-out's last resort for a token of unknown fate: the grant it revokes is doomed anyway.
      if (this.signOuts.dooms(reuse.row.grant, reuse.at)) continue;
      const first = reuse.row.presentations[0];
      this.violate(
        'a',
        `${reuse.by} presented ${reuse.row.token} (generation ${reuse.row.generation} of ${reuse.row.grant}), ` +
          `consumed at ${first ? `${this.browser.trace.time(first.at)} by ${first.by}` : '?'}: reuse detected, ` +
          `the grant is revoked${this.circumstances(reuse.by)}`,
      );
    }
    this.reusesSeen = server.reuses.length;
    for (const tab of live) {
      const record = tab.state?.record();
      if (record) {
        this.heldSession.set(tab.id, record.sessionId);
        continue;
      }
      this.retryClocks.sessionEnded(tab.id);
      // A session ended (the tab's status, not an event: a late event may describe an older session).
      // Judged where it ends first; a tab that hears of it later (it was frozen) only follows.
      const ended = this.heldSession.get(tab.id);
      this.heldSession.delete(tab.id);
      if (ended === undefined || this.endedSessions.has(ended)) continue;
      this.endedSessions.add(ended);
      if (!this.signOuts.signedOut && !this.signOuts.signedOutSessions.has(ended) && this.identityCookieLives()) {
        this.violate('d', `${tab.id}'s session ended while the identity cookie lives and nobody signed out`);
      }
    }
    if (!options.locks) {
      const holders = new Map<string, string>();
      for (const tab of live) {
        const token = tab.state?.record()?.refreshToken;
        if (!token) continue;
        const other = holders.get(token);
        if (other && !this.shared.has(token)) {
          this.shared.add(token);
          this.violate('b', `without Web Locks ${other} and ${tab.id} both hold ${token}`);
        }
        holders.set(token, tab.id);
      }
    }
  }

  /** The run never came to rest (see Runaway): the last events show the loop. */
  runaway(message: string): void {
    this.violate('h', message);
  }

  /** At the end of the run, after the quiet period. */
  finish(): void {
    const { server, live, scheduler, faults } = this.browser;
    if (!faults.used) {
      for (const row of server.refreshTokens.values()) {
        // A sign-out's last resort for a token of unknown fate (a tab frozen past its time
        // limit) may present it again: the grant is doomed then, as with (a).
        const again = row.presentations.slice(1).filter((p) => !this.signOuts.dooms(row.grant, p.at));
        if (again.length > 0) {
          const who = row.presentations.map((p) => `${p.by} at ${this.browser.trace.time(p.at)} (${p.outcome})`);
          this.violate(
            'e',
            `without faults ${row.token} was presented ${row.presentations.length} times: ${who.join(', ')}`,
            row.presentations[1].at,
          );
        }
      }
    }
    const lastSignOut = this.signOuts.lastSignOutAt;
    if (this.signOuts.signedOut && lastSignOut !== undefined) {
      for (const tab of live) {
        if (tab.state.record())
          this.violate('c', `${tab.id} is still signed in at the end, after a sign-out`, lastSignOut);
      }
    }
    for (const leftover of this.signOuts.leftovers()) this.violate('c', leftover.message, ...leftover.focus);
    for (const tab of live) {
      const record = tab.state.record();
      if (record && record.expiresAt <= scheduler.now) {
        const ago = Math.round(scheduler.now - record.expiresAt);
        this.violate(
          'g',
          `${tab.id} is signed in with an access token that expired ${ago} ms ago (generation ${record.generation})`,
          record.expiresAt,
        );
      }
    }
  }

  /** A token request of the refresh machinery: a refresh, or a re-authorize's code exchange (not a login's). */
  private isRefresh(tabId: string, kind: RequestKind): boolean {
    const tab = this.browser.tabs.find((t) => t.id === tabId)!;
    return kind === 'refresh' || (kind === 'code' && tab.loginsInFlight === 0);
  }

  /** What the trace should say about a tab that reused a token: did it just wake up, does it lead? */
  private circumstances(tabId: string): string {
    const tab = this.browser.tabs.find((t) => t.id === tabId);
    const { scheduler, locks, options } = this.browser;
    if (!tab) return '';
    const parts: string[] = [];
    if (tab.thawedAt > Number.NEGATIVE_INFINITY && scheduler.now - tab.thawedAt < 5_000) {
      parts.push(`${tabId} woke from a freeze ${Math.round(scheduler.now - tab.thawedAt)} ms before`);
    }
    if (options.locks) {
      parts.push(`the leader lock is held by ${locks.holderTabs().join(', ') || 'nobody'}`);
    } else {
      parts.push('no Web Locks');
    }
    return ` (${parts.join('; ')})`;
  }

  private identityCookieLives(): boolean {
    return this.browser.server.liveIdentitySession(this.browser.jar.cookie) !== null;
  }

  /** Records a violation with its story: the lines before it, or those around the `focus` moments (an end-of-run check). */
  private violate(invariant: InvariantId, message: string, ...focus: number[]): void {
    const { trace } = this.browser;
    trace.log(null, `VIOLATION (${invariant}): ${message}`);
    const story = focus.length === 0 ? trace.tail(TRACE_AT_VIOLATION) : trace.around(focus);
    this.violations.push({ invariant, message, trace: story });
  }
}

function describeEvent(event: IdentityAuthEvent): string {
  switch (event.type) {
    case 'signedIn':
      return `signedIn via ${event.via} (${event.origin})`;
    case 'refreshed':
      return `refreshed (${event.origin})`;
    case 'refreshFailed':
      return `refreshFailed ${event.transient ? `transient, retry in ${event.retryInMs} ms` : 'for good'}: ${event.error.kind}`;
    case 'sessionExpired':
      return `sessionExpired (${event.origin})${event.error ? `: ${event.error.kind}` : ''}`;
    case 'signedOut':
      return `signedOut (${event.origin}, server notified: ${event.serverNotified})`;
    default:
      return event.type;
  }
}
