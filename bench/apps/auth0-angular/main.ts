// @auth0/auth0-angular: redirect login, refresh tokens, sign-out and its functional interceptor.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { authHttpInterceptorFn, AuthService, provideAuth0 } from '@auth0/auth0-angular';

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  answer = '';
  signIn(): void {
    this.auth.loginWithRedirect().subscribe();
  }
  refresh(): void {
    this.auth.getAccessTokenSilently({ cacheMode: 'off' }).subscribe();
  }
  signOut(): void {
    this.auth.logout().subscribe();
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, {
  providers: [
    provideAuth0({
      domain: location.host,
      clientId: 'spa',
      useRefreshTokens: true,
      authorizationParams: { redirect_uri: `${location.origin}/identity/sign-in-done` },
      httpInterceptor: { allowedList: ['/api/*'] },
    }),
    provideHttpClient(withInterceptors([authHttpInterceptorFn])),
  ],
}).catch((e: unknown) => console.error(e));
