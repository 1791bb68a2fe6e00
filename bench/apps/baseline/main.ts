// Baseline: HttpClient and one component, nothing for sign-in. Every other app is this one plus a library.
import { HttpClient, provideHttpClient } from '@angular/common/http';
import { Component, inject } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';

@Component({
  selector: 'app-root',
  template: `<button (click)="load()">load</button> {{ answer }}`,
})
class App {
  private readonly http = inject(HttpClient);
  answer = '';
  load(): void {
    this.http.get('/api/frontoffice/v1/account', { responseType: 'text' }).subscribe((a) => (this.answer = a));
  }
}

bootstrapApplication(App, { providers: [provideHttpClient()] }).catch((e: unknown) => console.error(e));
