/**
 * The refresh fence as the engine's IndexedDbRefreshFence keeps it, with the
 * database replaced by one shared table: a claim is first checked against this
 * tab's own claims, then compare-and-set in the shared table in one transaction.
 * Transactions on the table run one after another in the order they were asked for
 * (readwrite transactions on one object store are serialized across tabs), each as
 * an event of the browser process; the answer reaches the tab as an event of its own
 * (so a frozen tab's claim is decided at once but answered when it thaws).
 */
import type { FenceClaim, PresentationOutcome, RefreshFence } from '@engine/session/refresh-fence';

import type { Scheduler } from '../sim/scheduler';

interface ClaimRow {
  readonly generation: number;
  readonly at: number;
  readonly outcome?: PresentationOutcome;
}

function refusal(row: ClaimRow, generation: number): FenceClaim {
  return { granted: false, claimedAt: row.at, outcome: row.generation > generation ? 'answered' : row.outcome };
}

function outcomeOf(a?: PresentationOutcome, b?: PresentationOutcome): PresentationOutcome | undefined {
  return a === 'answered' || b === 'answered' ? 'answered' : (a ?? b);
}

/** The shared table (one IndexedDB database of the origin). */
export class FenceTable {
  readonly rows = new Map<string, ClaimRow>();
}

export class TabFence implements RefreshFence {
  private readonly own = new Map<string, ClaimRow>();

  constructor(
    private readonly tab: string,
    private readonly table: FenceTable,
    private readonly scheduler: Scheduler,
    private readonly latency: () => number,
  ) {}

  claim(sessionId: string, generation: number): Promise<FenceClaim> {
    // This tab never presents a generation twice, whatever the table says.
    const mine = this.own.get(sessionId);
    const own = mine && mine.generation >= generation ? refusal(mine, generation) : null;
    const claimedAt = this.scheduler.now;
    if (!own) this.own.set(sessionId, { generation, at: claimedAt });
    return this.transaction(`fence: claim generation ${generation}`, () => {
      const row = this.table.rows.get(sessionId);
      if (row && row.generation >= generation) {
        const shared = refusal(row, generation);
        return own ? { ...own, outcome: outcomeOf(own.outcome, shared.outcome) } : shared;
      }
      if (own) return own;
      this.table.rows.set(sessionId, { generation, at: this.scheduler.now });
      return { granted: true, claimedAt };
    });
  }

  release(sessionId: string, generation: number): Promise<void> {
    const mine = this.own.get(sessionId);
    if (mine?.generation === generation) this.own.set(sessionId, { generation: generation - 1, at: mine.at });
    return this.transaction(`fence: release generation ${generation}`, () => {
      const row = this.table.rows.get(sessionId);
      if (row?.generation === generation) this.table.rows.set(sessionId, { generation: generation - 1, at: row.at });
    });
  }

  settle(sessionId: string, generation: number, outcome: PresentationOutcome): Promise<void> {
    const mine = this.own.get(sessionId);
    if (mine?.generation === generation) this.own.set(sessionId, { ...mine, outcome });
    return this.transaction(`fence: generation ${generation} ${outcome}`, () => {
      const row = this.table.rows.get(sessionId);
      if (row?.generation === generation) this.table.rows.set(sessionId, { ...row, outcome });
    });
  }

  private transaction<T>(label: string, work: () => T): Promise<T> {
    return new Promise<T>((resolve) =>
      this.scheduler.schedule({
        owner: null,
        lane: 'indexeddb',
        order: 'fifo',
        delay: this.latency(),
        label: `${label} (for ${this.tab})`,
        run: () => {
          const result = work();
          this.scheduler.schedule({
            owner: this.tab,
            delay: 0,
            label: `${label}: answered`,
            run: () => resolve(result),
          });
        },
      }),
    );
  }
}
