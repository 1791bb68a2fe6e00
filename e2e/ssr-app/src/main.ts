import { bootstrapApplication } from '@angular/platform-browser';

import { App } from './app/app';
import { appConfig } from './app/app.config';
import { restoreModeFromCookies } from './app/restore-mode';

bootstrapApplication(App, appConfig(restoreModeFromCookies(document.cookie))).catch((err: unknown) =>
  console.error(err),
);
