import { provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { NgModule, provideZoneChangeDetection } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { IdentityAuthModule } from 'b2trader.identity.auth';

import { AppComponent } from './app.component';

/**
 * An NgModule app as many existing apps are: zone.js change detection, forRoot() and
 * HttpClient with the DI interceptors.
 */
@NgModule({
  declarations: [AppComponent],
  imports: [BrowserModule, IdentityAuthModule.forRoot({ url: '/', clientId: 'spa', apis: ['/api/'] })],
  providers: [provideZoneChangeDetection(), provideHttpClient(withInterceptorsFromDi())],
  bootstrap: [AppComponent],
})
export class AppModule {}
