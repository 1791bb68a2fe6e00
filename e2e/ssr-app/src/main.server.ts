import { REQUEST } from '@angular/core';
import { type BootstrapContext, bootstrapApplication } from '@angular/platform-browser';

import { App } from './app/app';
import { serverConfig } from './app/app.config.server';
import { restoreModeFromCookies } from './app/restore-mode';

/** Renders one request (or, at build time, one route to extract or prerender: no request, the default mode). */
export default function bootstrap(context: BootstrapContext) {
  const request = context.platformRef.injector.get(REQUEST, null);
  return bootstrapApplication(App, serverConfig(restoreModeFromCookies(request?.headers.get('cookie'))), context);
}
