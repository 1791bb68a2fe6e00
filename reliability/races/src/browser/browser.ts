/**
 * The simulated browser of one run: one origin's tabs and what they share —
 * localStorage (with `storage` events to the other tabs), BroadcastChannel, Web
 * Locks, the refresh fence's database, an app's asynchronous token store, and the
 * identity-session cookie — plus the network to the identity service, all on one
 * scheduler. Every delay comes from the run's seed.
 */
import type { IdentityAuthConfig } from '@engine/identity-auth-config';

import { Monitor } from '../check/monitor';
import { Faults } from '../server/faults';
import { BASE_URL, IdentityServer } from '../server/identity-server';
import { Prng } from '../sim/prng';
import { type Owner, Scheduler } from '../sim/scheduler';
import { Trace } from '../sim/trace';
import { AsyncDisk, AsyncTokenStore } from './async-token-store';
import { BroadcastHub } from './broadcast-channel';
import { type CookieJar, Network } from './network';
import { FenceTable, TabFence } from './refresh-fence';
import { Tab } from './tab';
import { LockManager } from './web-locks';
import { FakeStorage } from './web-storage';

export type StorageMode = 'memory' | 'session' | 'local' | 'async';

export interface BrowserOptions {
  readonly seed: number;
  readonly storage: StorageMode;
  /** Whether the browser has Web Locks (`navigator.locks`); without, it has no BroadcastChannel either for the engine. */
  readonly locks: boolean;
  /** Access-token lifetime the service issues, in seconds. */
  readonly lifetimeSec: number;
  /** The engine's `timeoutMs`. */
  readonly timeoutMs: number;
}

/** The virtual clock starts here (2026-01-01), so that timestamps look like timestamps. */
const EPOCH = Date.UTC(2026, 0, 1);

/** A short description of a tab message for the trace. */
function describeMessage(message: unknown): string {
  const m = message as { kind?: string; generation?: number; record?: { generation?: number }; reason?: string };
  const generation = m.record?.generation ?? m.generation;
  return `${m.kind ?? '?'}${generation === undefined ? '' : ` g${generation}`}${m.reason ? ` ${m.reason}` : ''}`;
}

export class Browser {
  readonly random: Prng;
  readonly trace: Trace;
  readonly scheduler: Scheduler;
  readonly server: IdentityServer;
  readonly faults = new Faults();
  readonly jar: CookieJar = { cookie: null };
  readonly network: Network;
  readonly localStorage: FakeStorage;
  readonly hub: BroadcastHub;
  readonly locks: LockManager;
  readonly monitor: Monitor;
  readonly tabs: Tab[] = [];
  /** When the last freeze or outage a command started ends. */
  disturbedUntil = Number.NEGATIVE_INFINITY;
  private readonly fenceTable = new FenceTable();
  private readonly disk = new AsyncDisk();
  /** Messages to a tab take this much longer until then (a busy receiver). */
  private readonly slow = new Map<string, { until: number; ms: number }>();
  private readonly delays: Prng;

  constructor(readonly options: BrowserOptions) {
    this.random = new Prng(options.seed);
    this.delays = this.random.fork('delays');
    // The trace reads the clock only once the scheduler exists.
    this.trace = new Trace(() => this.scheduler.now, EPOCH);
    this.scheduler = new Scheduler(
      EPOCH,
      this.random.fork('interleaving'),
      (owner) => this.runnable(owner),
      this.trace,
    );
    this.server = new IdentityServer(() => this.scheduler.now, options.lifetimeSec);
    this.monitor = new Monitor(this);
    this.network = new Network(this.scheduler, this.server, this.faults, this.jar, () => this.hop(), this.monitor);
    this.localStorage = new FakeStorage((key, oldValue, newValue) => this.storageChanged(key, oldValue, newValue));
    this.hub = new BroadcastHub(this.scheduler, (tab) => this.messageDelay(tab), describeMessage);
    this.locks = new LockManager(this.scheduler);
    this.scheduler.afterEach = () => this.monitor.afterStep();
  }

  get live(): Tab[] {
    return this.tabs.filter((tab) => tab.alive);
  }

  /** The config every tab's app gives provideIdentityAuth(). */
  config(): IdentityAuthConfig {
    const { storage, timeoutMs } = this.options;
    return {
      url: BASE_URL,
      clientId: 'spa',
      timeoutMs,
      // The asynchronous store comes in as withTokenStore() instead.
      ...(storage === 'async' ? {} : { storage }),
    };
  }

  /** Opens a tab (as a command of the test) and loads the app in it. */
  async openTab(): Promise<Tab> {
    const tab = new Tab(`t${this.tabs.length}`, this);
    this.tabs.push(tab);
    await this.scheduler.act(tab.id, 'opens (the app starts, restore runs)', () => tab.open());
    return tab;
  }

  fenceFor(tab: string): TabFence {
    return new TabFence(tab, this.fenceTable, this.scheduler, () => this.delays.int(10));
  }

  asyncStoreFor(tab: string): AsyncTokenStore {
    return new AsyncTokenStore(tab, this.disk, this.scheduler, () => this.delays.int(300));
  }

  /** What a reload could restore from the persistent stores (for the invariants). */
  persistedRefreshTokens(): string[] {
    const found: string[] = [];
    const collect = (text: string | null) => {
      try {
        const token = (JSON.parse(text ?? 'null') as { refreshToken?: unknown } | null)?.refreshToken;
        if (typeof token === 'string') found.push(token);
      } catch {
        // not a record
      }
    };
    for (let i = 0; i < this.localStorage.length; i += 1) collect(this.localStorage.getItem(this.localStorage.key(i)!));
    for (const tab of this.live) {
      for (let i = 0; i < tab.sessionStorage.length; i += 1)
        collect(tab.sessionStorage.getItem(tab.sessionStorage.key(i)!));
    }
    if (this.disk.record?.refreshToken) found.push(this.disk.record.refreshToken);
    return found;
  }

  /** Messages to `tab` take longer for `ms` from now (its main thread is busy elsewhere). */
  slowDown(tab: string, ms: number): void {
    this.slow.set(tab, { until: this.scheduler.now + ms, ms });
  }

  /** Fires a window event in every live tab, each as an event of its own. */
  broadcastWindowEvent(type: string): void {
    for (const tab of this.live) {
      this.scheduler.schedule({
        owner: tab.id,
        delay: this.delays.int(20),
        label: `window '${type}' event`,
        run: () => {
          if (type === 'online') this.monitor.onOnline(tab);
          tab.dispatch(type, { type } as Event);
        },
      });
    }
  }

  private runnable(owner: Owner): 'run' | 'wait' | 'drop' {
    if (owner === null) return 'run';
    const tab = this.tabs.find((t) => t.id === owner);
    if (!tab || !tab.alive) return 'drop';
    return tab.frozen ? 'wait' : 'run';
  }

  /** One network hop: usually quick, sometimes slow. */
  private hop(): number {
    return this.delays.next() < 0.9 ? 5 + this.delays.int(60) : 200 + this.delays.int(800);
  }

  private messageDelay(tab: string): number {
    const slow = this.slow.get(tab);
    const extra = slow && slow.until > this.scheduler.now ? this.delays.int(slow.ms) : 0;
    return this.delays.int(15) + extra;
  }

  /** localStorage changed: every other tab gets a `storage` event, in the order of the writes. */
  private storageChanged(key: string | null, oldValue: string | null, newValue: string | null): void {
    const writer = this.scheduler.current;
    for (const tab of this.live) {
      if (tab.id === writer) continue;
      const event = { type: 'storage', key, oldValue, newValue, storageArea: this.localStorage } as unknown as Event;
      this.scheduler.schedule({
        owner: tab.id,
        lane: `storage:${writer}->${tab.id}`,
        order: 'fifo',
        delay: this.delays.int(15),
        label: `storage event ${key?.split(':').pop() ?? 'clear'} (${newValue === null ? 'removed' : 'set'}) from ${writer}`,
        run: () => tab.dispatch('storage', event),
      });
    }
  }
}
