import { Injectable } from '@angular/core';
import type { IdentityAuthConfig, IdentityTokenStorage, RefreshTiming } from 'b2trader.identity.auth';

/** What the demo reads from `demo-config.json` at start-up: the e2e tests serve their own. */
export interface DemoSettings {
  /** Where the library keeps the tokens. */
  readonly storage: Exclude<IdentityTokenStorage, object>;
  /** How often the FrontOffice panel calls the API, in ms. */
  readonly pollMs: number;
  readonly refresh?: Partial<RefreshTiming>;
  readonly timeoutMs?: number;
}

export const DEFAULT_DEMO_SETTINGS: DemoSettings = Object.freeze({ storage: 'memory', pollMs: 5000 });

const STORAGES: readonly string[] = ['memory', 'session', 'local'];

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Reads settings from untrusted JSON: anything missing or malformed keeps its default. */
export function parseDemoSettings(json: unknown): DemoSettings {
  if (typeof json !== 'object' || json === null) return DEFAULT_DEMO_SETTINGS;
  const raw = json as Record<string, unknown>;
  const storage =
    typeof raw['storage'] === 'string' && STORAGES.includes(raw['storage'])
      ? (raw['storage'] as DemoSettings['storage'])
      : DEFAULT_DEMO_SETTINGS.storage;
  const refreshRaw = typeof raw['refresh'] === 'object' && raw['refresh'] !== null ? raw['refresh'] : undefined;
  const refresh = refreshRaw as Record<string, unknown> | undefined;
  const timing = refresh && {
    ...(positive(refresh['ratio']) && { ratio: positive(refresh['ratio']) }),
    ...(positive(refresh['minLeadMs']) && { minLeadMs: positive(refresh['minLeadMs']) }),
    ...(positive(refresh['minDelayMs']) && { minDelayMs: positive(refresh['minDelayMs']) }),
  };
  const timeoutMs = positive(raw['timeoutMs']);
  return {
    storage,
    pollMs: positive(raw['pollMs']) ?? DEFAULT_DEMO_SETTINGS.pollMs,
    ...(timing && Object.keys(timing).length > 0 && { refresh: timing }),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
}

/** The library's configuration for these settings: the identity service and the API on the page's origin. */
export function identityConfigFor(settings: DemoSettings): IdentityAuthConfig {
  return {
    url: '/',
    clientId: 'spa',
    apis: ['/api/'],
    storage: settings.storage,
    ...(settings.refresh && { refresh: settings.refresh }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
  };
}

/** Loads `demo-config.json` once; the defaults when it is missing or unreadable. */
@Injectable({ providedIn: 'root' })
export class DemoSettingsLoader {
  private loaded?: Promise<DemoSettings>;
  private current: DemoSettings = DEFAULT_DEMO_SETTINGS;

  /** The settings once {@link load} has finished; the defaults before. */
  get settings(): DemoSettings {
    return this.current;
  }

  load(): Promise<DemoSettings> {
    this.loaded ??= fetch('demo-config.json', { cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : undefined))
      .catch(() => undefined)
      .then((json: unknown) => (this.current = parseDemoSettings(json)));
    return this.loaded;
  }
}
