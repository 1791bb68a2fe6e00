/**
 * A sign-out that outlives the page: a small, non-secret mark in `localStorage`
 * (whatever the token storage) that every tab and every reload reads. While it is
 * there, no tab signs in again silently with the identity-session cookie — the
 * cookie may still live when the identity service could not be told. Only a new
 * sign-in removes it.
 */
import type { Cancel, IdentityAuthPlatform } from '../platform/identity-auth-platform';
import { sessionStartedAt } from './token-record';

/** What the mark says. Holds no token. */
export interface SignOutMark {
  /** Local time of the sign-out. */
  readonly at: number;
  /** The sessions it ended: a late record of one of them is never adopted. */
  readonly sessionIds: readonly string[];
  /** True until the identity service has heard the sign-out. */
  readonly pending: boolean;
  /**
   * The generation of a named session the signing-out tab held: a tab that holds a newer
   * one (a refresh that tab had not heard of yet) revokes it itself.
   */
  readonly generations?: Readonly<Record<string, number>>;
  /**
   * Pages (tab ids) that hold refresh tokens of the sign-out the service has not heard revoked.
   * Only that page can name them: a delivery from any other page (the page may be gone) revokes
   * every refresh token of the trader instead.
   */
  readonly unheardIn?: readonly string[];
}

function parseGenerations(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, g]) => typeof g === 'number'));
}

function parseMark(text: string | null | undefined): SignOutMark | null {
  if (!text) return null;
  try {
    const m = JSON.parse(text) as Partial<SignOutMark>;
    return typeof m.at === 'number' && Array.isArray(m.sessionIds) && typeof m.pending === 'boolean'
      ? {
          at: m.at,
          sessionIds: m.sessionIds.filter((id) => typeof id === 'string'),
          pending: m.pending,
          generations: parseGenerations(m.generations),
          unheardIn: Array.isArray(m.unheardIn) ? m.unheardIn.filter((id) => typeof id === 'string') : [],
        }
      : null;
  } catch {
    return null;
  }
}

export class SignOutMarker {
  readonly key: string;
  /** Where there is no `localStorage` (or it throws): this page's memory. */
  #fallback: SignOutMark | null = null;
  /** The time of the last sign-out, kept when a sign-in clears the mark (and this page's copy). */
  readonly #lastKey: string;
  #lastAt = Number.NEGATIVE_INFINITY;

  readonly #platform: IdentityAuthPlatform;

  constructor(platform: IdentityAuthPlatform, storageKey: string) {
    this.#platform = platform;
    this.key = `${storageKey}:signed-out`;
    this.#lastKey = `${storageKey}:signed-out-at`;
  }

  /**
   * When the browser's last sign-out was, even after a sign-in cleared its mark: a tab that
   * slept through both still holds a session the sign-out ended.
   */
  lastSignOutAt(): number {
    try {
      const stored = Number(this.#platform.storage('local')?.getItem(this.#lastKey) ?? Number.NaN);
      return Number.isNaN(stored) ? this.#lastAt : Math.max(stored, this.#lastAt);
    } catch {
      return this.#lastAt;
    }
  }

  read(): SignOutMark | null {
    try {
      const storage = this.#platform.storage('local');
      return storage ? parseMark(storage.getItem(this.key)) : this.#fallback;
    } catch {
      return this.#fallback;
    }
  }

  /** Marks `ended` signed out (kept with the sessions an earlier mark names). */
  mark(ended: readonly string[], pending: boolean, generations: Readonly<Record<string, number>> = {}): void {
    const earlier = this.read();
    const known = earlier?.sessionIds ?? [];
    const sessionIds = [...known, ...ended.filter((id) => !known.includes(id))].slice(-8);
    const at = this.#platform.now();
    this.#lastAt = at;
    try {
      this.#platform.storage('local')?.setItem(this.#lastKey, String(at));
    } catch {
      // this page's copy still holds
    }
    this.#write({
      at,
      sessionIds,
      pending,
      generations: { ...earlier?.generations, ...generations },
      unheardIn: earlier?.unheardIn ?? [],
    });
  }

  /** Page `pageId` holds refresh tokens of the pending sign-out (or no longer does). */
  holding(pageId: string, holds: boolean): void {
    const mark = this.read();
    const listed = mark?.unheardIn?.includes(pageId) === true;
    if (!mark || (holds && !mark.pending) || listed === holds) return;
    const others = (mark.unheardIn ?? []).filter((id) => id !== pageId);
    this.#write({ ...mark, unheardIn: holds ? [...others, pageId].slice(-8) : others });
  }

  /** Whether page `pageId` is listed as holding unheard refresh tokens of the sign-out. */
  lists(pageId: string): boolean {
    return this.read()?.unheardIn?.includes(pageId) === true;
  }

  /** Whether a page other than `pageId` holds refresh tokens of the pending sign-out. */
  heldElsewhere(pageId: string): boolean {
    const mark = this.read();
    return mark?.pending === true && (mark.unheardIn ?? []).some((id) => id !== pageId);
  }

  /**
   * Nothing more to end at the identity service: it heard the sign-out, or a new sign-in
   * owns the identity session now. The mark stays (it still stops silent sign-ins).
   * Returns whether it was pending.
   */
  settle(): boolean {
    const mark = this.read();
    // The pages still listed stay listed: if one goes first, a tab that knew its tokens revokes them.
    if (mark?.pending) this.#write({ ...mark, pending: false });
    return mark?.pending === true;
  }

  /** Whether the identity session still has to be ended at the service. */
  get pending(): boolean {
    return this.read()?.pending === true;
  }

  /**
   * Whether the mark ends `sessionId`: it names it, or the session began before the
   * sign-out (a sign-out ends every session of the browser begun before it).
   */
  ends(sessionId: string): boolean {
    const mark = this.read();
    if (mark?.sessionIds.includes(sessionId)) return true;
    return sessionStartedAt(sessionId) <= Math.max(mark?.at ?? Number.NEGATIVE_INFINITY, this.lastSignOutAt());
  }

  /** A new sign-in: silent sign-ins are allowed again. */
  clear(): void {
    this.#fallback = null;
    try {
      this.#platform.storage('local')?.removeItem(this.key);
    } catch {
      // nothing stored, nothing to remove
    }
  }

  /** Calls back when another tab marks a sign-out (not when it clears or settles one). */
  watch(onSignedOut: (mark: SignOutMark) => void): Cancel {
    return this.#platform.listen('storage', (event) => {
      const { key, newValue, oldValue } = event as StorageEvent;
      if (key !== this.key) return;
      const mark = parseMark(newValue);
      const before = parseMark(oldValue);
      if (mark && (!before || mark.at !== before.at)) onSignedOut(mark);
    });
  }

  #write(mark: SignOutMark): void {
    this.#fallback = mark;
    try {
      this.#platform.storage('local')?.setItem(this.key, JSON.stringify(mark));
    } catch {
      // A full or blocked storage: this page still remembers it.
    }
  }
}
