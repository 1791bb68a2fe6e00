import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideClientHydration, withEventReplay } from '@angular/platform-browser';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { identityAuthInterceptor, provideIdentityAuth, withManualRestore } from 'b2trader.identity.auth';

import { routes } from './app.routes';
import { RESTORE_MODE, type RestoreMode } from './restore-mode';

/** The app's providers as the README sets them up, with or without `withManualRestore()`. */
export function appConfig(mode: RestoreMode): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideRouter(routes, withComponentInputBinding()),
      provideClientHydration(withEventReplay()),
      provideHttpClient(withFetch(), withInterceptors([identityAuthInterceptor])),
      provideIdentityAuth(
        { url: '/', clientId: 'spa', apis: ['/api/'] },
        ...(mode === 'manual' ? [withManualRestore()] : []),
      ),
      { provide: RESTORE_MODE, useValue: mode },
    ],
  };
}
