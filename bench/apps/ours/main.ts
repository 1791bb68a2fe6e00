// b2trader.identity.auth 2: sign-in, refresh, sign-out and the interceptor, all used.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { IdentityAuthService, identityAuthInterceptor, provideIdentityAuth } from 'b2trader.identity.auth';

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(IdentityAuthService);
  answer = '';
  signIn(): void {
    this.auth.login('trader@example.com', 'Passw0rd!').subscribe();
  }
  refresh(): void {
    this.auth.refreshToken().subscribe();
  }
  signOut(): void {
    this.auth.signOut().subscribe();
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, {
  providers: [
    provideIdentityAuth({ url: '/', clientId: 'spa', apis: ['/api/'] }),
    provideHttpClient(withInterceptors([identityAuthInterceptor])),
  ],
}).catch((e: unknown) => console.error(e));
