/**
 * One simulated tab: the real session engine of the library (SessionEngine and
 * SessionState from an Angular environment injector, as provideIdentityAuth sets
 * them up) over this tab's steered platform, its own sessionStorage and window
 * events, and a protocol client bound to this tab's side of the fake network.
 */
import { createEnvironmentInjector, type EnvironmentInjector, Injector, type Provider } from '@angular/core';
import { IDENTITY_AUTH_CONFIG_SOURCE } from '@engine/identity-auth-config';
import { IdentityAuthPlatform } from '@engine/platform/identity-auth-platform';
import { SessionEngine } from '@engine/session/session-engine';
import { SessionState } from '@engine/session/session-state';
import { IDENTITY_TOKEN_STORE } from '@engine/session/token-store';
import type { Cancel } from '@engine/platform/identity-auth-platform';

import type { Prng } from '../sim/prng';
import type { Browser } from './browser';
import { SteeredPlatform } from './steered-platform';
import { FakeStorage } from './web-storage';

export class Tab {
  alive = true;
  frozen = false;
  /** When it last ran again after a freeze. */
  thawedAt = Number.NEGATIVE_INFINITY;
  /** Login commands running in this tab (their code exchange is the trader's, not a refresh). */
  loginsInFlight = 0;
  readonly sessionStorage = new FakeStorage();
  readonly random: Prng;
  engine!: SessionEngine;
  state!: SessionState;
  private injector: EnvironmentInjector | null = null;
  private readonly listeners = new Map<string, Set<(event: Event) => void>>();

  constructor(
    readonly id: string,
    private readonly browser: Browser,
  ) {
    this.random = browser.random.fork(`tab ${id}`);
  }

  /**
   * Loads the page: the engine is created — its config resolved, its protocol client
   * created with this tab's fetch — and started (restore), as the app initializer does.
   */
  open(): void {
    const { browser } = this;
    const providers: Provider[] = [
      SessionState,
      SessionEngine,
      { provide: IDENTITY_AUTH_CONFIG_SOURCE, useValue: browser.config() },
      { provide: IdentityAuthPlatform, useValue: new SteeredPlatform(this, browser) },
    ];
    if (browser.options.storage === 'async') {
      providers.push({ provide: IDENTITY_TOKEN_STORE, useValue: browser.asyncStoreFor(this.id) });
    }
    // Core binds the global fetch when the client is created (in the engine's constructor).
    const globalFetch = globalThis.fetch;
    globalThis.fetch = browser.network.fetchFor(this.id);
    try {
      this.injector = createEnvironmentInjector(providers, Injector.NULL as EnvironmentInjector);
      this.engine = this.injector.get(SessionEngine);
      this.state = this.injector.get(SessionState);
    } finally {
      globalThis.fetch = globalFetch;
    }
    this.engine.events.subscribe((event) => browser.monitor.onEvent(this, event));
    this.engine.start().catch((err: unknown) => browser.trace.log(this.id, `start() failed: ${String(err)}`));
  }

  listen(type: string, callback: (event: Event) => void): Cancel {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(callback);
    return () => void set.delete(callback);
  }

  /** Fires a window event in this tab (run as one of its events). */
  dispatch(type: string, event: Event): void {
    for (const callback of [...(this.listeners.get(type) ?? [])]) callback(event);
  }

  /**
   * The tab is closed: the page is gone at once. No destroy hook runs — a browser runs none —
   * but `pagehide` does (not kept in the back/forward cache); what it sends still goes out.
   */
  close(): void {
    this.dispatch('pagehide', { type: 'pagehide', persisted: false } as unknown as Event);
    this.browser.monitor.closed(this);
    this.alive = false;
    this.browser.locks.closeTab(this.id);
    this.browser.hub.closeTab(this.id);
    this.injector = null;
  }
}
