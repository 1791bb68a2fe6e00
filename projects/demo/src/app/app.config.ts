import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { identityAuthInterceptor, provideIdentityAuth } from 'b2trader.identity.auth';

import { routes } from './app.routes';
import { DemoSettingsLoader, identityConfigFor } from './demo-settings';
import { SessionActivity } from './session/session-activity';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    provideHttpClient(withFetch(), withInterceptors([identityAuthInterceptor])),
    // Listening before the session restores, so the log has the first event too.
    provideAppInitializer(() => void inject(SessionActivity)),
    provideIdentityAuth(async () => identityConfigFor(await inject(DemoSettingsLoader).load())),
  ],
};
