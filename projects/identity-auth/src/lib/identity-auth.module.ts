/**
 * `IdentityAuthModule.forRoot(config)` for NgModule apps: the same providers as
 * `provideIdentityAuth()`.
 */
import { HTTP_INTERCEPTORS } from '@angular/common/http';
import { type ModuleWithProviders, NgModule, inject } from '@angular/core';

import { IdentityAuthInterceptor } from './http/interceptor';

import type { IdentityAuthConfigSource } from './identity-auth-config';
import { type IdentityAuthFeature, provideIdentityAuth } from './providers';

@NgModule()
export class IdentityAuthModule {
  constructor() {
    if (inject(IdentityAuthModule, { skipSelf: true, optional: true })) {
      throw new Error(
        ngDevMode
          ? 'b2trader.identity.auth: IdentityAuthModule is imported twice (e.g. again in a lazy module). Import IdentityAuthModule.forRoot() once, in the root module.'
          : 'b2trader.identity.auth: imported twice',
      );
    }
  }

  /**
   * @example
   * ```ts
   * @NgModule({
   *   imports: [BrowserModule, HttpClientModule, IdentityAuthModule.forRoot({ url: '/', clientId: 'spa', apis: ['/api/'] })],
   * })
   * export class AppModule {}
   * ```
   */
  static forRoot(
    config: IdentityAuthConfigSource,
    ...features: IdentityAuthFeature[]
  ): ModuleWithProviders<IdentityAuthModule> {
    return {
      ngModule: IdentityAuthModule,
      providers: [
        provideIdentityAuth(config, ...features),
        // Angular offers providers no way to add a functional interceptor: NgModule apps get the class adapter.
        { provide: HTTP_INTERCEPTORS, useClass: IdentityAuthInterceptor, multi: true },
      ],
    };
  }
}
