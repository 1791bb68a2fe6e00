// oauth4webapi alone, the floor under any library built on it: code flow with PKCE, refresh, revocation and a
// hand-written functional interceptor, with no session handling (no refresh de-duplication, no tabs).
import { HttpClient, HttpInterceptorFn, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import * as oauth from 'oauth4webapi';

const client: oauth.Client = { client_id: 'spa' };
const redirectUri = `${location.origin}/identity/sign-in-done`;
let accessToken: string | undefined;
let refreshToken: string | undefined;

async function server(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(`${location.origin}/identity`);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
}

const bearer: HttpInterceptorFn = (req, next) =>
  accessToken && req.url.startsWith('/api/')
    ? next(req.clone({ setHeaders: { Authorization: `Bearer ${accessToken}` } }))
    : next(req);

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  answer = '';
  async signIn(): Promise<void> {
    const as = await server();
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('client_id', client.client_id);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'openid offline_access FrontOffice');
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    const redirect = await fetch(url, { credentials: 'include' });
    const params = oauth.validateAuthResponse(as, client, new URL(redirect.url), oauth.expectNoState);
    const answer = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier),
    );
    accessToken = answer.access_token;
    refreshToken = answer.refresh_token;
  }
  async refresh(): Promise<void> {
    const as = await server();
    const answer = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken!),
    );
    accessToken = answer.access_token;
    refreshToken = answer.refresh_token;
  }
  async signOut(): Promise<void> {
    const as = await server();
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), refreshToken!));
    accessToken = refreshToken = undefined;
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, { providers: [provideHttpClient(withInterceptors([bearer]))] }).catch((e: unknown) =>
  console.error(e),
);
