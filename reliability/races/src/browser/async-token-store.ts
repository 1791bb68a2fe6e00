/**
 * An app's own asynchronous token store (withTokenStore), as SECURITY.md suggests
 * one on IndexedDB or WebCrypto: every tab reaches the same records; each load,
 * save and clear completes after a delay the scheduler picks, and completes out of
 * order when the delays say so — the store itself keeps no queue.
 */
import type { IdentityTokenRecord } from '@engine/session/token-record';
import type { IdentityTokenStore } from '@engine/session/token-store';

import type { Scheduler } from '../sim/scheduler';

/** What the store keeps, shared by every tab of the origin. */
export class AsyncDisk {
  record: IdentityTokenRecord | null = null;
}

export class AsyncTokenStore implements IdentityTokenStore {
  constructor(
    private readonly tab: string,
    private readonly disk: AsyncDisk,
    private readonly scheduler: Scheduler,
    private readonly latency: () => number,
  ) {}

  load(): Promise<IdentityTokenRecord | null> {
    return this.op('load', () => (this.disk.record ? structuredClone(this.disk.record) : null));
  }

  save(record: IdentityTokenRecord): Promise<void> {
    const copy = structuredClone(record);
    return this.op(`save generation ${record.generation}`, () => void (this.disk.record = copy));
  }

  clear(): Promise<void> {
    return this.op('clear', () => void (this.disk.record = null));
  }

  private op<T>(label: string, work: () => T): Promise<T> {
    return new Promise<T>((resolve) =>
      this.scheduler.schedule({
        owner: null,
        delay: this.latency(),
        label: `async store: ${label} (for ${this.tab})`,
        run: () => {
          const result = work();
          this.scheduler.schedule({
            owner: this.tab,
            delay: 0,
            label: `async store: ${label} done`,
            run: () => resolve(result),
          });
        },
      }),
    );
  }
}
