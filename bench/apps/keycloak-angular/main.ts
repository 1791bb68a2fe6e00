// keycloak-angular (+ keycloak-js): login, token update, sign-out and its bearer-token interceptor.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import {
  createInterceptorCondition,
  INCLUDE_BEARER_TOKEN_INTERCEPTOR_CONFIG,
  type IncludeBearerTokenCondition,
  includeBearerTokenInterceptor,
  provideKeycloak,
} from 'keycloak-angular';
import Keycloak from 'keycloak-js';

@Component({
  selector: 'app-root',
  template: `<button (click)="signIn()">sign in</button>
    <button (click)="refresh()">refresh</button>
    <button (click)="signOut()">sign out</button>
    <button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(Keycloak);
  answer = '';
  signIn(): void {
    void this.auth.login();
  }
  refresh(): void {
    void this.auth.updateToken(-1);
  }
  signOut(): void {
    void this.auth.logout();
  }
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, {
  providers: [
    provideKeycloak({
      config: { url: `${location.origin}/identity`, realm: 'b2trader', clientId: 'spa' },
      initOptions: { onLoad: 'check-sso', pkceMethod: 'S256' },
      providers: [
        {
          provide: INCLUDE_BEARER_TOKEN_INTERCEPTOR_CONFIG,
          useValue: [createInterceptorCondition<IncludeBearerTokenCondition>({ urlPattern: /^\/api\// })],
        },
      ],
    }),
    provideHttpClient(withInterceptors([includeBearerTokenInterceptor])),
  ],
}).catch((e: unknown) => console.error(e));
