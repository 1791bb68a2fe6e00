import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { IdentityAuthService } from 'b2trader.identity.auth';

import { DemoSettingsLoader } from '../demo-settings';
import { ActivityLog } from '../session/activity-log';
import { SessionActivity } from '../session/session-activity';
import { secondsLeft } from './countdown';
import { FrontOfficePanel } from './front-office-panel';

const TICK_MS = 100;

/** The guarded page: who is signed in, the token's remaining life, the API panel and the session's events. */
@Component({
  selector: 'app-desk-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ActivityLog, FrontOfficePanel],
  templateUrl: './desk-page.html',
})
export class DeskPage {
  private readonly auth = inject(IdentityAuthService);
  private readonly activity = inject(SessionActivity);
  private readonly now = signal(Date.now());

  readonly settings = inject(DemoSettingsLoader).settings;
  readonly session = this.auth.session;
  readonly refreshCount = this.activity.refreshCount;
  readonly expiresIn = computed(() => {
    const session = this.session();
    return session ? secondsLeft(session.expiresAt, this.now()) : '0.0';
  });

  constructor() {
    const ticker = setInterval(() => this.now.set(Date.now()), TICK_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(ticker));
  }
}
