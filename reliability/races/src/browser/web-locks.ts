/**
 * Web Locks (exclusive mode), one lock manager per origin. A request is granted
 * when the lock is free and nobody queues before it; the callback then runs in the
 * requesting tab as a task of its own, and the lock is held until the promise it
 * returned settles. `steal` takes the lock at once: the holder's request promise
 * rejects with an AbortError — delivered to the holder as an event of its own, so a
 * frozen holder learns it only when it runs again, after whatever else it had queued.
 * A closed tab's locks are released and its queued requests dropped.
 */
import type { Scheduler } from '../sim/scheduler';

interface LockRequest {
  readonly tab: string;
  readonly name: string;
  readonly callback: () => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

export class LockManager {
  private readonly holders = new Map<string, LockRequest>();
  private readonly queues = new Map<string, LockRequest[]>();

  constructor(private readonly scheduler: Scheduler) {}

  request(tab: string, name: string, callback: () => Promise<void>, options?: { steal?: boolean }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const request: LockRequest = { tab, name, callback, resolve, reject };
      const queue = this.queue(name);
      if (options?.steal) {
        const holder = this.holders.get(name);
        if (holder) this.breakLock(holder);
        this.grant(request);
      } else if (!this.holders.has(name) && queue.length === 0) {
        this.grant(request);
      } else {
        queue.push(request);
      }
    });
  }

  /** The names of the locks held now; the answer reaches `tab` as an event. */
  held(tab: string): Promise<string[]> {
    const names = [...this.holders.keys()];
    return new Promise<string[]>((resolve) =>
      this.scheduler.schedule({
        owner: tab,
        delay: 0,
        label: 'gets the locks query answer',
        run: () => resolve(names),
      }),
    );
  }

  /** The tabs holding a lock now (for the failure report). */
  holderTabs(): string[] {
    return [...this.holders.values()].map((request) => request.tab);
  }

  /** The tab is gone: the browser releases what it held and forgets what it asked for. */
  closeTab(tab: string): void {
    for (const [name, queue] of this.queues)
      this.queues.set(
        name,
        queue.filter((r) => r.tab !== tab),
      );
    for (const [name, holder] of [...this.holders]) if (holder.tab === tab) this.release(name);
  }

  private queue(name: string): LockRequest[] {
    let queue = this.queues.get(name);
    if (!queue) this.queues.set(name, (queue = []));
    return queue;
  }

  private grant(request: LockRequest): void {
    this.holders.set(request.name, request);
    this.scheduler.schedule({
      owner: request.tab,
      delay: 0,
      label: `is granted the lock ${request.name.split(':').pop()}`,
      run: () => {
        // Stolen before the callback could run: the rejection is on its way instead.
        if (this.holders.get(request.name) !== request) return;
        let done: Promise<void>;
        try {
          done = Promise.resolve(request.callback());
        } catch (err) {
          done = Promise.reject(err);
        }
        done.then(
          () => this.settled(request, () => request.resolve()),
          (err: unknown) => this.settled(request, () => request.reject(err)),
        );
      },
    });
  }

  private settled(request: LockRequest, report: () => void): void {
    // A stolen holder's request was rejected already; its late release changes nothing.
    if (this.holders.get(request.name) !== request) return;
    this.release(request.name);
    report();
  }

  private breakLock(holder: LockRequest): void {
    this.holders.delete(holder.name);
    this.scheduler.schedule({
      owner: holder.tab,
      delay: 0,
      label: 'learns its lock was stolen',
      run: () =>
        holder.reject(new DOMException('Lock broken by another request with the "steal" option.', 'AbortError')),
    });
  }

  private release(name: string): void {
    this.holders.delete(name);
    const next = this.queue(name).shift();
    if (next) this.grant(next);
  }
}
