import { DatePipe } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, type OnInit, signal } from '@angular/core';
import type { Subscription } from 'rxjs';

import { describeApiFailure, type FrontOfficeAccount } from './front-office-account';

/** Calls the FrontOffice API on a timer and on demand; the interceptor adds the token. */
@Component({
  selector: 'app-front-office-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  templateUrl: './front-office-panel.html',
})
export class FrontOfficePanel implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly destroyRef = inject(DestroyRef);

  /** Time between calls, in ms. */
  readonly pollMs = input.required<number>();

  readonly account = signal<FrontOfficeAccount | null>(null);
  readonly lastAt = signal<number | null>(null);
  readonly failure = signal('');
  readonly okCount = signal(0);
  readonly failedCount = signal(0);
  readonly unauthorizedCount = signal(0);
  /** Calls begun: with the answered ones, lets the soak test find calls lost or answered twice. */
  readonly startedCount = signal(0);
  readonly loading = signal(false);

  private call?: Subscription;

  ngOnInit(): void {
    const timer = setInterval(() => this.load(), this.pollMs());
    this.destroyRef.onDestroy(() => {
      clearInterval(timer);
      this.call?.unsubscribe();
    });
    this.load();
  }

  /** One call; skipped while the previous one is still running. */
  load(): void {
    if (this.loading()) return;
    this.loading.set(true);
    this.startedCount.update((n) => n + 1);
    this.call = this.http.get<FrontOfficeAccount>('api/frontoffice/v1/account').subscribe({
      next: (account) => {
        this.account.set(account);
        this.failure.set('');
        this.okCount.update((n) => n + 1);
        this.settle();
      },
      error: (error: unknown) => {
        this.failure.set(describeApiFailure(error));
        this.failedCount.update((n) => n + 1);
        if (error instanceof HttpErrorResponse && error.status === 401) this.unauthorizedCount.update((n) => n + 1);
        this.settle();
      },
    });
  }

  private settle(): void {
    this.lastAt.set(Date.now());
    this.loading.set(false);
  }
}
