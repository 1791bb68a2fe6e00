import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { IdentityAuthService, type LoginStep } from 'b2trader.identity.auth';
import { finalize, type Observable, type Subscription } from 'rxjs';

import { ActivityLog } from '../session/activity-log';
import { SessionActivity } from '../session/session-activity';
import { safeReturnUrl } from './return-url';
import { secondFactorMessage, signInMessage } from './sign-in-message';

/** After this long without an answer the page says the identity service is slow. */
const SLOW_AFTER_MS = 2500;

/** Email and password, then the second factor when the account has one. */
@Component({
  selector: 'app-sign-in-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ActivityLog],
  templateUrl: './sign-in-page.html',
})
export class SignInPage {
  private readonly auth = inject(IdentityAuthService);
  private readonly router = inject(Router);
  private readonly activity = inject(SessionActivity);

  /** Set by the guard (query parameter `returnUrl`). */
  readonly returnUrl = input<string>();

  readonly status = this.auth.status;
  readonly phase = signal<'credentials' | 'second-factor'>('credentials');
  readonly secondFactorFor = signal('');
  readonly busy = signal(false);
  readonly slow = signal(false);
  readonly message = signal('');
  readonly notice = computed(() => {
    const ending = this.activity.lastEnding();
    if (!ending) return '';
    if (ending.type === 'sessionExpired') return 'Your session has expired. Sign in again to continue.';
    return ending.origin === 'other-tab' ? 'You signed out in another tab.' : 'You have signed out.';
  });

  private running?: Subscription;
  private slowTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    // Signed in here, in another tab, or by restore: carry on to where the user was going.
    effect(() => {
      if (this.auth.status() === 'signed-in') void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    });
    inject(DestroyRef).onDestroy(() => {
      this.running?.unsubscribe();
      clearTimeout(this.slowTimer);
    });
  }

  signIn(email: string, password: string): void {
    if (!email || !password) {
      this.message.set('Enter your email and password.');
      return;
    }
    this.run(this.auth.login(email, password));
  }

  async confirmSecondFactor(code: string): Promise<void> {
    if (!/^\d{6}$/.test(code)) {
      this.message.set('Enter the six-digit code.');
      return;
    }
    this.start();
    let answer: Response;
    try {
      // B2Trader does not document its second-factor step; this is the emulator's.
      answer = await fetch('identity/sign-in/second-factor', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    } catch {
      this.stop(secondFactorMessage(0, undefined));
      return;
    }
    if (!answer.ok) {
      this.stop(secondFactorMessage(answer.status, await answer.json().catch(() => undefined)));
      return;
    }
    this.run(this.auth.continueLogin());
  }

  startOver(): void {
    this.running?.unsubscribe();
    this.stop('');
    this.phase.set('credentials');
  }

  private run(steps: Observable<LoginStep>): void {
    this.running?.unsubscribe();
    this.start();
    this.running = steps.pipe(finalize(() => this.stop())).subscribe({
      next: (step) => {
        if (step.step === 'second-factor-required') {
          this.secondFactorFor.set(step.account.email ?? '');
          this.phase.set('second-factor');
        }
      },
      error: (error: unknown) => this.message.set(signInMessage(error)),
    });
  }

  private start(): void {
    this.busy.set(true);
    this.slow.set(false);
    this.message.set('');
    clearTimeout(this.slowTimer);
    this.slowTimer = setTimeout(() => this.slow.set(true), SLOW_AFTER_MS);
  }

  private stop(message?: string): void {
    clearTimeout(this.slowTimer);
    this.busy.set(false);
    this.slow.set(false);
    if (message !== undefined) this.message.set(message);
  }
}
