import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';

import { SessionActivity } from './session-activity';

/** The session's events in this tab, newest first. */
@Component({
  selector: 'app-activity-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  template: `
    <details class="activity" [open]="!compact()" data-testid="activity">
      <summary>
        Session activity <span class="muted">({{ activity.entries().length }})</span>
      </summary>
      @if (activity.entries().length === 0) {
        <p class="muted">Nothing yet.</p>
      } @else {
        <ol class="activity__list">
          @for (entry of activity.entries(); track $index) {
            <li class="activity__entry activity__entry--{{ entry.tone }}" [attr.data-type]="entry.type">
              <time>{{ entry.at | date: 'HH:mm:ss' }}</time>
              <strong>{{ entry.title }}</strong>
              <span class="muted">{{ entry.detail }}</span>
            </li>
          }
        </ol>
      }
    </details>
  `,
})
export class ActivityLog {
  readonly activity = inject(SessionActivity);
  /** Collapsed by default, for pages where the log is not the point. */
  readonly compact = input(false);
}
