import type { IdentityAuthEvent } from 'b2trader.identity.auth';

/** One line of the activity log. Built from an event, which never carries a token. */
export interface ActivityEntry {
  readonly at: number;
  readonly type: IdentityAuthEvent['type'];
  readonly title: string;
  readonly detail: string;
  readonly tone: 'good' | 'info' | 'warn' | 'bad';
}

function fromWhere(event: IdentityAuthEvent): string {
  return event.origin === 'other-tab' ? 'in another tab' : 'in this tab';
}

/** What the log shows for an event. */
export function describeEvent(event: IdentityAuthEvent): ActivityEntry {
  const base = { at: event.at, type: event.type };
  switch (event.type) {
    case 'signedIn':
      return {
        ...base,
        title: event.via === 'login' ? 'Signed in' : 'Session restored',
        detail: `${event.session.account.email ?? event.session.subject}, ${fromWhere(event)}`,
        tone: 'good',
      };
    case 'refreshed':
      return { ...base, title: 'Token refreshed', detail: fromWhere(event), tone: 'info' };
    case 'refreshFailed':
      return {
        ...base,
        title: event.transient ? 'Refresh failed, retrying' : 'Refresh refused',
        detail:
          event.transient && event.retryInMs !== undefined
            ? `${event.error.kind}; next try in ${(event.retryInMs / 1000).toFixed(1)} s`
            : event.error.kind,
        tone: event.transient ? 'warn' : 'bad',
      };
    case 'sessionExpired':
      return { ...base, title: 'Session expired', detail: fromWhere(event), tone: 'bad' };
    case 'signedOut':
      return {
        ...base,
        title: 'Signed out',
        detail: `${fromWhere(event)}${event.serverNotified || event.origin === 'other-tab' ? '' : '; the identity service could not be told yet'}`,
        tone: 'info',
      };
    case 'signOutConfirmed':
      return { ...base, title: 'Sign-out reached the identity service', detail: fromWhere(event), tone: 'good' };
  }
}
