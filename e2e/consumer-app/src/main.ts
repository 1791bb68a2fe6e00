import { ApplicationRef } from '@angular/core';
import { platformBrowser } from '@angular/platform-browser';

import { AppModule } from './app/app.module';
import { watchStability } from './app/stability-probe';

platformBrowser()
  .bootstrapModule(AppModule)
  .then((module) => watchStability(module.injector.get(ApplicationRef)))
  .catch((err: unknown) => console.error(err));
