import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { IdentityAuthService } from 'b2trader.identity.auth';
import { last } from 'rxjs';

/** The public start page. */
@Component({
  selector: 'app-home',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1 id="page">home</h1>`,
})
export class HomePage {}

/** Signs in, then goes back to the page the guard sent the user away from (also after a restore). */
@Component({
  selector: 'app-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 id="page">sign-in</h1>
    <button type="button" (click)="signIn()">Sign in</button>
    <p id="sign-in-result">{{ failure() }}</p>
  `,
})
export class SignInPage {
  private readonly auth = inject(IdentityAuthService);
  private readonly router = inject(Router);
  /** The guard's `returnUrl` query parameter (bound by the router). */
  readonly returnUrl = input<string>();
  readonly failure = signal('');

  constructor() {
    effect(() => {
      if (this.auth.status() === 'signed-in') void this.router.navigateByUrl(this.returnUrl() ?? '/');
    });
  }

  signIn(): void {
    this.auth
      .login('trader@example.com', 'Passw0rd!')
      .pipe(last())
      .subscribe({ error: (err: { kind?: string }) => this.failure.set(`sign-in failed: ${err.kind}`) });
  }
}

/** A guarded page that calls the FrontOffice API through HttpClient. */
@Component({
  selector: 'app-desk',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 id="page">desk</h1>
    <p id="account">{{ auth.session()?.account?.email ?? auth.session()?.account?.id }}</p>
    <button type="button" (click)="callApi()">Call the API</button>
    <p id="result">{{ result() }}</p>
  `,
})
export class DeskPage {
  readonly auth = inject(IdentityAuthService);
  private readonly http = inject(HttpClient);
  readonly result = signal('');

  callApi(): void {
    this.http.get<{ accountId: string }>('/api/frontoffice/v1/account').subscribe({
      next: (answer) => this.result.set(`account ${answer.accountId}`),
      error: (err: { status?: number }) => this.result.set(`API failed: ${err.status}`),
    });
  }
}
