// Support for the integration specs (no specs of its own): the emulator's test
// controls on the page's origin, and "tabs" — each an environment injector of its
// own with provideIdentityAuth(), sharing the page's origin, cookies, storage,
// BroadcastChannel and Web Locks as tabs of one browser do.
import {
  createEnvironmentInjector,
  EnvironmentInjector,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, toArray } from 'rxjs';

import type { IdentityAuthConfig } from '../identity-auth-config';
import { IdentityAuthService, type LoginStep } from '../identity-auth.service';
import { type IdentityAuthFeature, provideIdentityAuth } from '../providers';
import type { IdentityAuthEvent } from '../session/identity-auth-events';

declare const __karma__: { config: { identityEmulator?: boolean } };

export const TRADER = { email: 'trader@example.com', password: 'Passw0rd!' };
export const TWO_FACTOR = { email: '2fa@example.com', password: 'Passw0rd!', code: '123456' };
export const TOKEN_PATH = '/identity/connect/token';

export function requireEmulator(): void {
  if (!__karma__.config.identityEmulator)
    fail('run through `npm test` (or scripts/karma-with-emulator.mjs), which starts the emulator');
}

export interface EmulatorStats {
  requests: Record<string, number>;
  tokenRequests: Record<string, number>;
  refreshReuseDetected: number;
  signIn: { succeeded: number; failed: number };
  revoked: { refreshTokens: number; grants: number };
  faultsApplied: number;
}

export async function stats(): Promise<EmulatorStats> {
  return (await fetch('/__stats')).json();
}

export async function resetStats(): Promise<void> {
  await fetch('/__stats/reset', { method: 'POST' });
}

export async function arm(fault: Record<string, unknown>): Promise<void> {
  const response = await fetch('/__faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`fault refused: ${await response.text()}`);
}

export async function disarm(): Promise<void> {
  await fetch('/__faults', { method: 'DELETE' });
}

/** Token answers claim `seconds` of lifetime: the client schedules by expires_in from arrival. */
export async function shortTokens(seconds: number): Promise<void> {
  await arm({ path: TOKEN_PATH, mode: 'mutate-json', set: { expires_in: seconds }, count: 100_000 });
}

/** An access token signed by the emulator (the trader, `spa`, FrontOffice), with `claims` changed. */
export async function mintedToken(claims: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch('/__tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ set: claims }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * The next token answer carries `accessToken` instead of the emulator's own (which
 * lives 30 s server-side), and claims `expiresIn` seconds: the way to give the real
 * engine access tokens that really die on the server within a few seconds.
 */
export async function nextTokenAnswer(accessToken: string, expiresIn: number): Promise<void> {
  await arm({
    path: TOKEN_PATH,
    method: 'POST',
    mode: 'mutate-json',
    set: { access_token: accessToken, expires_in: expiresIn },
  });
}

/** Revokes every grant of the trader; with `endIdentitySession` the page's identity cookie session ends too. */
export async function revokeGrants(endIdentitySession: boolean): Promise<void> {
  const response = await fetch('/identity/sign-out', {
    method: 'POST',
    headers: { authorization: `Bearer ${await mintedToken()}`, 'content-type': 'application/json' },
    body: '{}',
    credentials: endIdentitySession ? 'include' : 'omit',
  });
  if (!response.ok) throw new Error(`sign-out answered ${response.status}`);
}

/** A clean slate: no faults, no identity session, no stored tokens, zeroed counters. */
export async function cleanSlate(): Promise<void> {
  await disarm();
  await revokeGrants(true);
  sessionStorage.clear();
  localStorage.clear();
  await resetStats();
}

export { until } from './until';

export interface Tab {
  readonly service: IdentityAuthService;
  readonly injector: EnvironmentInjector;
  readonly events: IdentityAuthEvent[];
  count(type: IdentityAuthEvent['type']): number;
  login(email?: string, password?: string): Promise<LoginStep[]>;
  close(): void;
}

const open: Tab[] = [];

/** Opens a "tab": its own injector with provideIdentityAuth(); its restore starts at once. */
export function openTab(
  config: Partial<IdentityAuthConfig> = {},
  features: IdentityAuthFeature[] = [],
  providers: (Provider | EnvironmentProviders)[] = [],
): Tab {
  const injector = createEnvironmentInjector(
    [provideIdentityAuth({ url: '/', clientId: 'spa', ...config }, ...features), ...providers],
    TestBed.inject(EnvironmentInjector),
  );
  const service = injector.get(IdentityAuthService);
  const events: IdentityAuthEvent[] = [];
  const subscription = service.events$.subscribe((event) => events.push(event));
  const tab: Tab = {
    service,
    injector,
    events,
    count: (type) => events.filter((event) => event.type === type).length,
    login: (email = TRADER.email, password = TRADER.password) =>
      lastValueFrom(service.login(email, password).pipe(toArray())),
    close: () => {
      subscription.unsubscribe();
      if (!injector.destroyed) injector.destroy();
    },
  };
  open.push(tab);
  return tab;
}

export function closeAllTabs(): void {
  open.splice(0).forEach((tab) => tab.close());
}
