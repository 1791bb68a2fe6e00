import { afterNextRender, ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { IdentityAuthService } from 'b2trader.identity.auth';

import { RESTORE_MODE } from './restore-mode';

/** The shell: the session's status on every page, and the pages. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p id="status">{{ auth.status() }}</p>
    <nav><a routerLink="/">Home</a> <a routerLink="/desk">Desk</a> <a routerLink="/blotter">Blotter</a></nav>
    <router-outlet />
  `,
})
export class App {
  readonly auth = inject(IdentityAuthService);

  constructor() {
    // withManualRestore(): this app restores once it has rendered (in the browser only).
    if (inject(RESTORE_MODE) === 'manual') afterNextRender(() => void this.auth.restore().catch(() => undefined));
  }
}
