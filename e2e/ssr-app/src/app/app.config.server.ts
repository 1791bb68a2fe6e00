import { type ApplicationConfig, mergeApplicationConfig } from '@angular/core';
import { provideServerRendering, withRoutes } from '@angular/ssr';

import { appConfig } from './app.config';
import { serverRoutes } from './app.routes.server';
import type { RestoreMode } from './restore-mode';

/** The browser's providers and the server rendering with its routes. */
export function serverConfig(mode: RestoreMode): ApplicationConfig {
  return mergeApplicationConfig(appConfig(mode), { providers: [provideServerRendering(withRoutes(serverRoutes))] });
}
