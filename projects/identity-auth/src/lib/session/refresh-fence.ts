/**
 * The fence in front of the token endpoint: a refresh token is presented only by
 * the tab that claimed its generation first. The claim is a compare-and-set in a
 * store every tab of the origin sees consistently (IndexedDB), so a tab that was
 * frozen and still believes it leads finds the generation taken and adopts the
 * newer record instead of presenting a spent token. Leader election alone cannot
 * give this: a woken tab learns that its lock was stolen only after it has run
 * whatever was queued meanwhile.
 */

/** The answer to a claim: granted, or taken (by a tab that claimed it at `claimedAt`, local time). */
/** How long after its time limit a refresh answer may still be on its way to the other tabs. */
const ANSWER_SLACK_MS = 1_000;

/** When the answer to a refresh token presented at `claimedAt` has come, or never will. */
export function answerDueBy(claimedAt: number, timeoutMs: number): number {
  return claimedAt + timeoutMs + ANSWER_SLACK_MS;
}

/**
 * How the presentation of a claimed token ended: `answered` (the token is spent, whatever
 * becomes of the answer) or `lost` (the request ended without an answer: its fate is unknown).
 */
export type PresentationOutcome = 'answered' | 'lost';

export interface FenceClaim {
  readonly granted: boolean;
  readonly claimedAt: number;
  /** Refused: how the presentation of it ended, when the presenting tab has said. */
  readonly outcome?: PresentationOutcome;
}

/** Claims of refresh-token presentations, per session and generation. */
export interface RefreshFence {
  /**
   * Takes the right to present the refresh token of `generation` in `sessionId`:
   * granted when no tab has claimed this generation (or a later one) before.
   */
  claim(sessionId: string, generation: number): Promise<FenceClaim>;
  /** Gives a claim back: the server said it did not take the token (a 429, a 503). */
  release(sessionId: string, generation: number): Promise<void>;
  /** Notes how the presentation of `generation`'s token ended. */
  settle(sessionId: string, generation: number, outcome: PresentationOutcome): Promise<void>;
  /** Lets go of what the fence holds open (a database connection). */
  close?(): void;
}

/** Claims seen by this tab only: where no shared store exists (and in tests of one tab). */
export class LocalRefreshFence implements RefreshFence {
  readonly #claimed = new Map<string, ClaimRow>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  claim(sessionId: string, generation: number): Promise<FenceClaim> {
    const row = this.#claimed.get(sessionId);
    if (row && row.generation >= generation) return Promise.resolve(refusal(row, generation));
    const at = this.#now();
    this.#claimed.set(sessionId, { generation, at });
    return Promise.resolve({ granted: true, claimedAt: at });
  }
  release(sessionId: string, generation: number): Promise<void> {
    const row = this.#claimed.get(sessionId);
    if (row?.generation === generation) this.#claimed.set(sessionId, { generation: generation - 1, at: row.at });
    return Promise.resolve();
  }
  settle(sessionId: string, generation: number, outcome: PresentationOutcome): Promise<void> {
    const row = this.#claimed.get(sessionId);
    if (row?.generation === generation) this.#claimed.set(sessionId, { ...row, outcome });
    return Promise.resolve();
  }
}

/** A refused claim: a later generation claimed means this one was answered. */
function refusal(row: ClaimRow, generation: number): FenceClaim {
  return { granted: false, claimedAt: row.at, outcome: row.generation > generation ? 'answered' : row.outcome };
}

/** What two refusals (this tab's, the database's) say together: an answer anywhere wins. */
function outcomeOf(a?: PresentationOutcome, b?: PresentationOutcome): PresentationOutcome | undefined {
  return a === 'answered' || b === 'answered' ? 'answered' : (a ?? b);
}

/** Claims older than this are dropped when a new one is written: the sessions they fenced are long over. */
const CLAIM_TTL_MS = 7 * 24 * 3_600_000;

interface ClaimRow {
  readonly generation: number;
  readonly at: number;
  readonly outcome?: PresentationOutcome;
}

/**
 * Claims in IndexedDB, one row per session: readwrite transactions on one object
 * store are serialized across every tab of the origin. When the database fails, a
 * claim is refused (no tab can prove its right then); the session heals through
 * the identity-session cookie instead of risking a second presentation.
 */
export class IndexedDbRefreshFence implements RefreshFence {
  #db: Promise<IDBDatabase> | null = null;
  readonly #local: LocalRefreshFence;

  readonly #factory: IDBFactory;
  readonly #name: string;
  readonly #now: () => number;

  constructor(factory: IDBFactory, name: string, now: () => number) {
    this.#factory = factory;
    this.#name = name;
    this.#now = now;
    this.#local = new LocalRefreshFence(now);
  }

  async claim(sessionId: string, generation: number): Promise<FenceClaim> {
    // This tab's own claims first: it never presents a generation twice, whatever the database says.
    const local = await this.#local.claim(sessionId, generation);
    try {
      let claim = local;
      await this.#update(sessionId, (row, now) => {
        if (row && row.generation >= generation) {
          // Refused here or there: the database also knows whether another tab got the answer.
          const shared = refusal(row, generation);
          claim = local.granted ? shared : { ...local, outcome: outcomeOf(local.outcome, shared.outcome) };
          return null;
        }
        return local.granted ? { generation, at: now } : null;
      });
      return claim;
    } catch {
      if (!local.granted) return local;
      // The database failed: no proof that no other tab presented it. Present nothing; the
      // caller heals through the identity-session cookie (claimedAt in the past: at once).
      return { granted: false, claimedAt: Number.NEGATIVE_INFINITY };
    }
  }

  async release(sessionId: string, generation: number): Promise<void> {
    await this.#local.release(sessionId, generation);
    if (!this.#db) return; // closed (or never opened): nothing claimed there to give back
    try {
      await this.#update(sessionId, (row) =>
        row?.generation === generation ? { ...row, generation: generation - 1 } : null,
      );
    } catch {
      // The claim stays: the next attempt heals through the identity-session cookie instead.
    }
  }

  async settle(sessionId: string, generation: number, outcome: PresentationOutcome): Promise<void> {
    await this.#local.settle(sessionId, generation, outcome);
    if (!this.#db) return;
    try {
      await this.#update(sessionId, (row) => (row?.generation === generation ? { ...row, outcome } : null));
    } catch {
      // Unnoted: a sign-out may then present the spent token, which the service's reuse detection ends.
    }
  }

  close(): void {
    void this.#db?.then((db) => db.close()).catch(() => undefined);
    this.#db = null;
  }

  /** Reads the row and writes `decide(row)` in one transaction; resolves whether it wrote. */
  async #update(
    sessionId: string,
    decide: (row: ClaimRow | undefined, now: number) => ClaimRow | null,
  ): Promise<boolean> {
    const db = await this.#open();
    const now = this.#now();
    return new Promise<boolean>((resolve, reject) => {
      const tx = db.transaction('claims', 'readwrite');
      const claims = tx.objectStore('claims');
      let wrote = false;
      const read = claims.get(sessionId);
      read.onsuccess = () => {
        const row = decide(read.result as ClaimRow | undefined, now);
        if (row === null) return;
        wrote = true;
        claims.put(row, sessionId);
        // Old sessions' rows, pruned now and then.
        if (row.generation % 16 === 1 && !row.outcome) {
          claims.openCursor().onsuccess = (event) => {
            const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
            if (!cursor) return;
            if ((cursor.value as ClaimRow).at < now - CLAIM_TTL_MS) cursor.delete();
            cursor.continue();
          };
        }
      };
      tx.oncomplete = () => resolve(wrote);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.#factory.open(this.#name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('claims');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('blocked'));
    }).catch((err: unknown) => {
      this.#db = null;
      throw err;
    });
    return this.#db;
  }
}
