import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { IdentityAuthService, isIdentityAuthError, type LoginStep } from 'b2trader.identity.auth';
import { finalize, type Observable, type Subscription } from 'rxjs';

import { ActivityLog } from '../session/activity-log';
import { SessionActivity } from '../session/session-activity';
import { safeReturnUrl } from './return-url';
import { sendSecondFactor } from './second-factor';
import { signInMessage } from './sign-in-message';

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
  private readonly attempted = signal(false);
  /** How the last session ended, until the user starts signing in again. */
  readonly notice = computed(() => {
    const ending = this.activity.lastEnding();
    if (!ending || this.attempted()) return '';
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
    this.attempted.set(true);
    this.run(this.auth.login(email, password));
  }

  /** The second factor's button: the app's own call first, its answer checked, then the rest of the login. */
  async confirmSecondFactor(code: string): Promise<void> {
    if (!/^\d{6}$/.test(code)) {
      this.message.set('Enter the six-digit code.');
      return;
    }
    this.start();
    const refused = await sendSecondFactor(code);
    if (refused !== null) {
      this.stop(refused);
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
      error: (error: unknown) => {
        // Anything but a wrong password: the library's message says the cause and the fix, for the developer.
        if (!isIdentityAuthError(error, 'invalid_credentials')) console.warn(error);
        this.message.set(signInMessage(error));
      },
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
