// angular-oauth2-oidc: code flow with PKCE, refresh, sign-out and its resource-server interceptor.
import { HttpClient, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { OAuthService, provideOAuthClient } from 'angular-oauth2-oidc';

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(OAuthService);
  answer = '';
  constructor() {
    this.auth.configure({
      issuer: `${location.origin}/identity`,
      clientId: 'spa',
      responseType: 'code',
      redirectUri: `${location.origin}/identity/sign-in-done`,
      scope: 'openid offline_access FrontOffice',
    });
    void this.auth.loadDiscoveryDocumentAndTryLogin();
  }
  signIn(): void {
    this.auth.initCodeFlow();
  }
  refresh(): void {
    void this.auth.refreshToken();
  }
  signOut(): void {
    this.auth.logOut();
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, {
  providers: [
    provideHttpClient(withInterceptorsFromDi()),
    provideOAuthClient({ resourceServer: { allowedUrls: ['/api/'], sendAccessToken: true } }),
  ],
}).catch((e: unknown) => console.error(e));
