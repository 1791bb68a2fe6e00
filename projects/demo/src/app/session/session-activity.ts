import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { IdentityAuthService, type SessionExpiredEvent, type SignedOutEvent } from 'b2trader.identity.auth';

import { type ActivityEntry, describeEvent } from './describe-event';

const KEEP = 50;

/** The session's events as this tab saw them, from start-up on: the log, the refresh count, how it ended. */
@Injectable({ providedIn: 'root' })
export class SessionActivity {
  private readonly log = signal<readonly ActivityEntry[]>([]);
  private readonly refreshes = signal(0);
  private readonly ending = signal<SignedOutEvent | SessionExpiredEvent | null>(null);

  /** Newest first, at most 50. */
  readonly entries = this.log.asReadonly();
  /** Refreshes seen by this tab, whichever tab ran them. */
  readonly refreshCount = this.refreshes.asReadonly();
  /** How the last session ended, until the next one begins. */
  readonly lastEnding = this.ending.asReadonly();

  constructor() {
    const subscription = inject(IdentityAuthService).events$.subscribe((event) => {
      this.log.update((entries) => [describeEvent(event), ...entries].slice(0, KEEP));
      if (event.type === 'refreshed') this.refreshes.update((n) => n + 1);
      if (event.type === 'signedIn') this.ending.set(null);
      if (event.type === 'signedOut' || event.type === 'sessionExpired') this.ending.set(event);
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
