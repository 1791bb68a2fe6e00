import { HttpErrorResponse } from '@angular/common/http';
import { isIdentityAuthError } from 'b2trader.identity.auth';

/** `GET /api/frontoffice/v1/account`'s answer. */
export interface FrontOfficeAccount {
  readonly accountId: string;
  readonly balances: readonly { readonly currency: string; readonly amount: string }[];
}

/** A failed API call in a few words, for the panel: what happened, never a token. */
export function describeApiFailure(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return 'The API cannot be reached.';
    if (error.status === 401) return 'The API refused the token (401).';
    if (error.status === 403) return 'This account may not use the FrontOffice API (403).';
    return `The API answered ${error.status}${error.statusText ? ` ${error.statusText}` : ''}.`;
  }
  if (isIdentityAuthError(error)) {
    return error.transient
      ? 'No fresh token: the identity service is not answering. Retrying.'
      : 'The session has ended. Sign in again.';
  }
  return 'The call failed unexpectedly.';
}
