import { HttpClient } from '@angular/common/http';
import { afterEveryRender, ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { IdentityAuthService } from 'b2trader.identity.auth';
import { last } from 'rxjs';

import { stabilityProbe } from './stability-probe';

/** Signs in with the service, then calls the FrontOffice API through HttpClient. */
@Component({
  selector: 'app-root',
  // an NgModule app on purpose: forRoot() is what is under test
  // eslint-disable-next-line @angular-eslint/prefer-standalone
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p id="status">{{ auth.status() }}</p>
    @if (auth.session(); as s) {
      <p id="account">{{ s.account.email ?? s.account.id }}</p>
      <button type="button" (click)="callApi()">Call the API</button>
    } @else {
      <button type="button" (click)="signIn()">Sign in</button>
    }
    <p id="result">{{ result() }}</p>
  `,
})
export class AppComponent {
  readonly auth = inject(IdentityAuthService);
  private readonly http = inject(HttpClient);
  readonly result = signal('');

  constructor() {
    const probe = stabilityProbe();
    afterEveryRender(() => (probe.renders += 1));
  }

  signIn(): void {
    this.auth
      .login('trader@example.com', 'Passw0rd!')
      .pipe(last())
      .subscribe({ error: (err: { kind?: string }) => this.result.set(`sign-in failed: ${err.kind}`) });
  }

  callApi(): void {
    this.http.get<{ accountId: string }>('/api/frontoffice/v1/account').subscribe({
      next: (answer) => this.result.set(`account ${answer.accountId}`),
      error: (err: { status?: number }) => this.result.set(`API failed: ${err.status}`),
    });
  }
}
