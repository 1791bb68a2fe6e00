/**
 * `provideIdentityAuth(config, ...features)` for standalone apps, and its
 * features, in the `provideHttpClient(withX())` style: each `withX()` returns an
 * opaque feature made by one private factory.
 */
import {
  type EnvironmentProviders,
  inject,
  InjectionToken,
  makeEnvironmentProviders,
  provideAppInitializer,
  provideEnvironmentInitializer,
  type Provider,
  type Type,
} from '@angular/core';
import { passwordGrant } from 'b2trader.identity.auth/core';

import { IDENTITY_AUTH_CONFIG_SOURCE, type IdentityAuthConfigSource } from './identity-auth-config';
import { IdentityAuthService } from './identity-auth.service';
import { MACHINE_TO_MACHINE } from './machine-to-machine';
import {
  IDENTITY_AUTH_HTTP_EDGE,
  IDENTITY_AUTH_HTTP_SETTINGS,
  type IdentityAuthHttpEdge,
  type IdentityAuthHttpSettings,
  SessionAccess,
} from './session/session-access';
import { SessionEngine } from './session/session-engine';
import { SessionDriver } from './session/session-driver';
import { SessionState } from './session/session-state';
import { IDENTITY_TOKEN_STORE, type IdentityTokenStore } from './session/token-store';
import { provideMissingInterceptorCheck } from './http/missing-interceptor-check';

/** The kinds of {@link IdentityAuthFeature}. */
export enum IdentityAuthFeatureKind {
  MachineToMachine,
  TokenStore,
  ManualRestore,
}

/** An opaque feature of {@link provideIdentityAuth}, made by a `withX()` function. */
export interface IdentityAuthFeature<KindT extends IdentityAuthFeatureKind = IdentityAuthFeatureKind> {
  ɵkind: KindT;
  ɵproviders: Provider[];
}

/** The `withX()` that makes a feature of `kind`: for development messages only (a table would stay in every bundle). */
function featureName(kind: IdentityAuthFeatureKind): string {
  const names: Record<IdentityAuthFeatureKind, string> = {
    [IdentityAuthFeatureKind.MachineToMachine]: 'withMachineToMachine()',
    [IdentityAuthFeatureKind.TokenStore]: 'withTokenStore()',
    [IdentityAuthFeatureKind.ManualRestore]: 'withManualRestore()',
  };
  return names[kind];
}

function makeFeature<KindT extends IdentityAuthFeatureKind>(
  kind: KindT,
  providers: Provider[],
): IdentityAuthFeature<KindT> {
  return { ɵkind: kind, ɵproviders: providers };
}

/**
 * One entry per provideIdentityAuth()/forRoot() in an injector: two in one injector (two
 * eager modules) or one below another (a lazy route) is an error, not a second session.
 */
const IDENTITY_AUTH_PROVIDED = new InjectionToken<true[]>(ngDevMode ? 'b2trader.identity.auth: provided' : '');

/**
 * Sets up the library for a standalone app: the session engine, `IdentityAuthService`,
 * and start-up's restore (an app initializer).
 *
 * @param config the configuration, or a factory run at start-up in an injection context
 *   (it may return a Promise, e.g. from a `config.json`).
 * @example
 * ```ts
 * bootstrapApplication(App, {
 *   providers: [
 *     provideHttpClient(withInterceptors([identityAuthInterceptor])),
 *     provideIdentityAuth({ url: '/', clientId: 'spa', apis: ['/api/'] }),
 *   ],
 * });
 * ```
 */
export function provideIdentityAuth(
  config: IdentityAuthConfigSource,
  ...features: IdentityAuthFeature[]
): EnvironmentProviders {
  const seen = new Map<IdentityAuthFeatureKind, number>();
  features.forEach((feature) => seen.set(feature.ɵkind, (seen.get(feature.ɵkind) ?? 0) + 1));
  for (const [kind, count] of seen) {
    if (count > 1)
      throw new TypeError(
        ngDevMode
          ? `b2trader.identity.auth: ${featureName(kind)} is given ${count} times to provideIdentityAuth(); keep one.`
          : `b2trader.identity.auth: feature ${kind} given twice`,
      );
  }
  const manualRestore = seen.has(IdentityAuthFeatureKind.ManualRestore);
  return makeEnvironmentProviders([
    { provide: IDENTITY_AUTH_CONFIG_SOURCE, useValue: config },
    { provide: IDENTITY_AUTH_PROVIDED, useValue: true, multi: true },
    SessionState,
    SessionEngine,
    provideSessionDriver(SessionEngine, httpSettings),
    provideMissingInterceptorCheck(),
    features.flatMap((feature) => feature.ɵproviders),
    provideEnvironmentInitializer(() => {
      if (
        inject(IDENTITY_AUTH_PROVIDED, { skipSelf: true, optional: true }) ||
        inject(IDENTITY_AUTH_PROVIDED).length > 1
      ) {
        throw new Error(
          ngDevMode
            ? 'b2trader.identity.auth: provideIdentityAuth() or IdentityAuthModule.forRoot() is set up twice (twice in one injector, or in a parent injector and again here, e.g. a lazy route or module). Provide it once, in the root.'
            : 'b2trader.identity.auth: provided twice',
        );
      }
      // The engine checks a config object now; a config factory runs here too.
      const engine = inject(SessionEngine);
      if (!manualRestore) void engine.start().catch(() => undefined);
    }),
    ...(manualRestore ? [] : [provideAppInitializer(() => inject(SessionEngine).startBeforeRender())]),
  ]);
}

/**
 * The session under `IdentityAuthService`, the interceptor and the guard: the engine in
 * an app, the testing kit's fake session in an app's unit tests. `httpSettings` is what
 * the interceptor and the guard read of the configuration.
 */
export function provideSessionDriver(
  driver: Type<SessionDriver>,
  httpSettings: () => IdentityAuthHttpSettings,
): Provider[] {
  return [
    { provide: SessionDriver, useExisting: driver },
    { provide: SessionAccess, useExisting: driver },
    { provide: IDENTITY_AUTH_HTTP_SETTINGS, useFactory: httpSettings },
    {
      provide: IDENTITY_AUTH_HTTP_EDGE,
      useFactory: (): IdentityAuthHttpEdge => ({
        settings: inject(IDENTITY_AUTH_HTTP_SETTINGS),
        session: inject(SessionAccess),
      }),
    },
    IdentityAuthService,
  ];
}

/** What the interceptor reads; live getters, so that a config factory's result shows once it has run. */
function httpSettings(): IdentityAuthHttpSettings {
  const engine = inject(SessionEngine);
  return {
    get apis() {
      return engine.config?.apis ?? [];
    },
    get identityBaseUrl() {
      return engine.config?.client.baseUrl ?? '';
    },
    get waitForRestore() {
      return engine.config?.waitForRestore ?? false;
    },
  };
}

/**
 * Enables `IdentityAuthService.machineToMachineSignIn()` (the password grant of
 * `core_ib` / `lk`, server platform only). Without it no password-grant code is bundled.
 */
export function withMachineToMachine(): IdentityAuthFeature<IdentityAuthFeatureKind.MachineToMachine> {
  return makeFeature(IdentityAuthFeatureKind.MachineToMachine, [
    { provide: MACHINE_TO_MACHINE, useValue: passwordGrant },
  ]);
}

/** Keeps tokens in the app's own {@link IdentityTokenStore} (instead of the config's `storage`). */
export function withTokenStore(store: IdentityTokenStore): IdentityAuthFeature<IdentityAuthFeatureKind.TokenStore> {
  return makeFeature(IdentityAuthFeatureKind.TokenStore, [{ provide: IDENTITY_TOKEN_STORE, useValue: store }]);
}

/**
 * No restore at start-up: the app calls `IdentityAuthService.restore()` when it wants
 * (status stays `unknown` until then).
 */
export function withManualRestore(): IdentityAuthFeature<IdentityAuthFeatureKind.ManualRestore> {
  return makeFeature(IdentityAuthFeatureKind.ManualRestore, []);
}
