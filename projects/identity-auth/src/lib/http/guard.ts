/**
 * The route guard: signed-in users through, everyone else to the sign-in route with
 * the URL they wanted; optionally only sessions holding given scopes.
 */
import { inject, InjectionToken } from '@angular/core';
import {
  type ActivatedRouteSnapshot,
  type CanActivateFn,
  type CanMatchFn,
  type Route,
  Router,
  type RouterStateSnapshot,
  type UrlSegment,
  type UrlTree,
} from '@angular/router';

import { type IdentityAuthStatus, type IdentitySession, SessionAccess } from '../session/session-access';

/**
 * The route signed-out users are sent to by {@link identityAuthGuard}. Default `/sign-in`.
 *
 * @example
 * ```ts
 * providers: [{ provide: IDENTITY_AUTH_SIGN_IN_ROUTE, useValue: '/login' }]
 * ```
 */
export const IDENTITY_AUTH_SIGN_IN_ROUTE = new InjectionToken<string>(
  ngDevMode ? 'b2trader.identity.auth: sign-in route' : '',
  { providedIn: 'root', factory: () => '/sign-in' },
);

/** Options of {@link identityAuthGuardWith}. */
export interface IdentityAuthGuardOptions {
  /** Scopes the session must hold, e.g. `'BackOffice'` for `spa_admin` screens. */
  readonly scope?: string | readonly string[];
  /** Where signed-out users go. Default: {@link IDENTITY_AUTH_SIGN_IN_ROUTE}. */
  readonly redirectTo?: string;
  /** Where signed-in users without the scope go. Default: nowhere, the navigation is refused. */
  readonly forbiddenRedirectTo?: string;
  /** The query parameter that carries the URL the user wanted. Default `returnUrl`. */
  readonly returnUrlParam?: string;
}

/** A guard usable both as `canActivate` and as `canMatch`. */
export type IdentityAuthGuard = CanActivateFn & CanMatchFn;

/** What the guard does with a navigation, once restore has finished. */
export type GuardVerdict = 'allow' | 'sign-in' | 'forbidden';

/**
 * The guard's decision: signed in with every required scope → `allow`; signed in
 * without one → `forbidden`; anything else → `sign-in`.
 */
export function guardVerdict(
  status: IdentityAuthStatus,
  session: IdentitySession | null,
  requiredScopes: readonly string[],
): GuardVerdict {
  if (status !== 'signed-in' || !session) return 'sign-in';
  return requiredScopes.every((scope) => session.scope.includes(scope)) ? 'allow' : 'forbidden';
}

/**
 * A guard with options: required scopes and where to send users who may not pass.
 *
 * @example
 * ```ts
 * const routes: Routes = [
 *   { path: 'sign-in', component: SignInPage },
 *   { path: 'orders', component: OrdersPage, canActivate: [identityAuthGuard] },
 *   {
 *     path: 'admin',
 *     loadChildren: () => import('./admin/routes'),
 *     canMatch: [identityAuthGuardWith({ scope: 'BackOffice', forbiddenRedirectTo: '/no-access' })],
 *   },
 * ];
 * ```
 */
export function identityAuthGuardWith(options: IdentityAuthGuardOptions = {}): IdentityAuthGuard {
  const required = typeof options.scope === 'string' ? [options.scope] : (options.scope ?? []);
  return (_route: ActivatedRouteSnapshot | Route, target: RouterStateSnapshot | UrlSegment[]) => {
    const session = inject(SessionAccess);
    const router = inject(Router);
    const signInRoute = options.redirectTo ?? inject(IDENTITY_AUTH_SIGN_IN_ROUTE);
    // canMatch gets only the segments of its own level: take the whole URL from the navigation.
    const wanted = Array.isArray(target) ? router.currentNavigation()?.extractedUrl : target.url;
    const returnUrl = typeof wanted === 'string' ? wanted : wanted && router.serializeUrl(wanted);

    return session.whenRestored().then((): boolean | UrlTree => {
      const verdict = guardVerdict(session.status(), session.session(), required);
      if (verdict === 'allow') return true;
      if (verdict === 'forbidden') {
        return options.forbiddenRedirectTo === undefined ? false : router.parseUrl(options.forbiddenRedirectTo);
      }
      const tree = router.parseUrl(signInRoute);
      if (returnUrl) tree.queryParams = { ...tree.queryParams, [options.returnUrlParam ?? 'returnUrl']: returnUrl };
      return tree;
    });
  };
}

/**
 * Lets signed-in users through, once start-up's restore has finished, and sends
 * everyone else to {@link IDENTITY_AUTH_SIGN_IN_ROUTE} with `?returnUrl=<the URL
 * they wanted>`. Usable as `canActivate`, `canActivateChild` and `canMatch`; for
 * required scopes see {@link identityAuthGuardWith}.
 *
 * @example
 * ```ts
 * { path: 'orders', component: OrdersPage, canActivate: [identityAuthGuard] }
 * ```
 */
export const identityAuthGuard: IdentityAuthGuard = /* @__PURE__ */ identityAuthGuardWith();
