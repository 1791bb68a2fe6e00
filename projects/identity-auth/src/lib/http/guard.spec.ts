// The guard through TestBed and the real Router, over a fake session whose restore
// the test finishes.
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, type Routes } from '@angular/router';

import { guardVerdict, IDENTITY_AUTH_SIGN_IN_ROUTE, identityAuthGuard, identityAuthGuardWith } from './guard';
import { type IdentityAuthStatus, type IdentitySession, SessionAccess } from '../session/session-access';
import { FakeSession } from '../testing-support/fake-session';

@Component({ template: 'page' })
class Page {}

function sessionWith(scope: string[]): IdentitySession {
  return {
    account: { id: 'u-1', email: 'trader@example.com' },
    subject: 'u-1',
    clientId: 'spa',
    scope,
    expiresAt: Date.now() + 30_000,
  };
}

const routes: Routes = [
  { path: 'sign-in', component: Page },
  { path: 'login', component: Page },
  { path: 'no-access', component: Page },
  { path: 'orders', component: Page, canActivate: [identityAuthGuard] },
  {
    path: 'admin',
    canMatch: [identityAuthGuardWith({ scope: 'BackOffice' })],
    children: [{ path: '**', component: Page }],
  },
  {
    path: 'reports',
    component: Page,
    canActivate: [identityAuthGuardWith({ scope: ['FrontOffice', 'BackOffice'], forbiddenRedirectTo: '/no-access' })],
  },
  {
    path: 'desk',
    component: Page,
    canActivate: [identityAuthGuardWith({ redirectTo: '/login?from=guard', returnUrlParam: 'next' })],
  },
  { path: 'not-found', component: Page },
  { path: '**', redirectTo: 'not-found' },
];

describe('guardVerdict', () => {
  const front = sessionWith(['openid', 'FrontOffice']);
  const table: Array<[IdentityAuthStatus, IdentitySession | null, string[], string]> = [
    ['signed-in', front, [], 'allow'],
    ['signed-in', front, ['FrontOffice'], 'allow'],
    ['signed-in', front, ['BackOffice'], 'forbidden'],
    ['signed-in', front, ['FrontOffice', 'BackOffice'], 'forbidden'],
    ['signed-in', null, [], 'sign-in'],
    ['signed-out', null, [], 'sign-in'],
    ['unknown', front, [], 'sign-in'],
  ];
  for (const [status, session, scopes, verdict] of table) {
    it(`${status}${session ? ' with a session' : ''} needing [${scopes}] → ${verdict}`, () => {
      expect(guardVerdict(status, session, scopes)).toBe(verdict);
    });
  }
});

describe('identityAuthGuard with a fake session and the real Router', () => {
  let session: FakeSession;
  let router: Router;

  function setUp(extra: { signInRoute?: string } = {}) {
    session = new FakeSession({ status: 'unknown', token: null });
    TestBed.configureTestingModule({
      providers: [
        provideRouter(routes),
        { provide: SessionAccess, useValue: session },
        ...(extra.signInRoute ? [{ provide: IDENTITY_AUTH_SIGN_IN_ROUTE, useValue: extra.signInRoute }] : []),
      ],
    });
    router = TestBed.inject(Router);
  }

  it('waits for restore, then lets a signed-in user through', async () => {
    setUp();
    const navigation = router.navigateByUrl('/orders?side=buy');
    await new Promise((resolve) => setTimeout(resolve));
    expect(router.url).toBe('/');
    session.finishRestore(sessionWith(['FrontOffice']));
    expect(await navigation).toBeTrue();
    expect(router.url).toBe('/orders?side=buy');
  });

  it('sends a signed-out user to the sign-in route with the URL they wanted', async () => {
    setUp();
    session.finishRestore(null);
    await router.navigateByUrl('/orders?side=buy#top');
    expect(router.url).toBe('/sign-in?returnUrl=%2Forders%3Fside%3Dbuy%23top');
    expect(router.parseUrl(router.url).queryParams['returnUrl']).toBe('/orders?side=buy#top');
  });

  it('uses the configured IDENTITY_AUTH_SIGN_IN_ROUTE', async () => {
    setUp({ signInRoute: '/login' });
    session.finishRestore(null);
    await router.navigateByUrl('/orders');
    expect(router.url).toBe('/login?returnUrl=%2Forders');
  });

  it('as canMatch, redirects a signed-out user with the whole URL, not only its own segments', async () => {
    setUp();
    session.finishRestore(null);
    await router.navigateByUrl('/admin/users/7');
    expect(router.url).toBe('/sign-in?returnUrl=%2Fadmin%2Fusers%2F7');
  });

  it('as canMatch with a required scope, lets a session holding it through', async () => {
    setUp();
    session.finishRestore(sessionWith(['FrontOffice', 'BackOffice']));
    await router.navigateByUrl('/admin/users');
    expect(router.url).toBe('/admin/users');
  });

  it('as canMatch with a required scope, does not match for a session without it (the next route answers)', async () => {
    setUp();
    session.finishRestore(sessionWith(['FrontOffice']));
    await router.navigateByUrl('/admin/users');
    expect(router.url).toBe('/not-found');
  });

  it('sends a session without the scope to forbiddenRedirectTo', async () => {
    setUp();
    session.finishRestore(sessionWith(['FrontOffice']));
    await router.navigateByUrl('/reports');
    expect(router.url).toBe('/no-access');
  });

  it('honours redirectTo (with its own query) and returnUrlParam', async () => {
    setUp();
    session.finishRestore(null);
    await router.navigateByUrl('/desk');
    expect(router.url).toBe('/login?from=guard&next=%2Fdesk');
  });
});
