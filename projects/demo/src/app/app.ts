import { ChangeDetectionStrategy, Component } from '@angular/core';

/** The demo's shell. The sign-in flow arrives with the Angular service. */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<h1>B2Trader sign-in demo</h1>`,
})
export class App {}
