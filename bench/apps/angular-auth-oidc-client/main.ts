// angular-auth-oidc-client: code flow with PKCE, refresh tokens, sign-out and its functional interceptor.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { authInterceptor, OidcSecurityService, provideAuth } from 'angular-auth-oidc-client';

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(OidcSecurityService);
  answer = '';
  constructor() {
    this.auth.checkAuth().subscribe();
  }
  signIn(): void {
    this.auth.authorize();
  }
  refresh(): void {
    this.auth.forceRefreshSession().subscribe();
  }
  signOut(): void {
    this.auth.logoff().subscribe();
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, {
  providers: [
    provideAuth({
      config: {
        authority: `${location.origin}/identity`,
        redirectUrl: `${location.origin}/identity/sign-in-done`,
        clientId: 'spa',
        scope: 'openid offline_access FrontOffice',
        responseType: 'code',
        silentRenew: true,
        useRefreshToken: true,
        secureRoutes: ['/api/'],
      },
    }),
    provideHttpClient(withInterceptors([authInterceptor()])),
  ],
}).catch((e: unknown) => console.error(e));
