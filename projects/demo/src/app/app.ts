import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { Router, RouterLink, RouterOutlet } from '@angular/router';
import { IdentityAuthService } from 'b2trader.identity.auth';

/** The shell: the top bar with the account and sign-out, and the page. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, RouterOutlet],
  templateUrl: './app.html',
})
export class App {
  private readonly auth = inject(IdentityAuthService);
  private readonly router = inject(Router);

  readonly session = this.auth.session;
  readonly status = this.auth.status;
  readonly signingOut = signal(false);

  constructor() {
    // A session can end in another tab or on its own: leave the guarded pages when it does.
    const subscription = this.auth.events$.subscribe((event) => {
      if (event.type !== 'signedOut' && event.type !== 'sessionExpired') return;
      const here = this.router.url;
      if (here.startsWith('/sign-in')) return;
      void this.router.navigate(
        ['/sign-in'],
        event.type === 'sessionExpired' ? { queryParams: { returnUrl: here } } : {},
      );
    });
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }

  signOut(): void {
    this.signingOut.set(true);
    // signOut() never fails the user: it signs every tab out even when the server cannot be told.
    this.auth.signOut().subscribe({
      complete: () => this.signingOut.set(false),
      error: () => this.signingOut.set(false),
    });
  }
}
