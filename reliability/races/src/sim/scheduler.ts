/**
 * One virtual clock and one queue of events for the whole simulated browser. Every
 * timer of every tab, every channel message, lock grant, storage event, network hop
 * and store write is an event here. Events sit in lanes: a lane runs in order (one
 * tab's timers by due time, the messages from one tab to another first in, first
 * out, as BroadcastChannel delivers them); between lanes the seeded PRNG picks which
 * ready event runs next — that choice is the interleaving under test.
 *
 * An event belongs to a tab (its owner) or to the browser/network (owner null). A
 * frozen tab runs none of its events until it is thawed; a closed tab's events are
 * dropped. After each event every promise chain it started is run to completion
 * before the next event is picked, so that "at once" in the engine means "before
 * anything else happens", as on a real event loop.
 */
import type { Prng } from './prng';
import type { Trace } from './trace';

/** A tab id, or null for the browser process and the network (never frozen). */
export type Owner = string | null;

export interface ScheduleOptions {
  readonly owner: Owner;
  readonly delay: number;
  readonly label: string;
  readonly run: () => void;
  /** Events of one lane run in order; without a lane the event is on its own. */
  readonly lane?: string;
  /** `fifo`: in the order scheduled (a later one never runs first); `time`: by due time (timers). */
  readonly order?: 'fifo' | 'time';
  /** For a timer: how deeply it is nested in timer tasks (browsers clamp deep ones to 4 ms). */
  readonly nesting?: number;
}

interface SimEvent {
  readonly seq: number;
  readonly at: number;
  readonly owner: Owner;
  readonly label: string;
  readonly run: () => void;
  readonly nesting: number;
  cancelled: boolean;
}

/** Real macrotask turn, captured before anything is virtualized. */
const realSetImmediate = globalThis.setImmediate;
const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/** Far more events than any scenario needs (the busiest take a few thousand): more is a loop. */
export const MAX_STEPS = 60_000;

/** More events of one tab within one virtual second than any engine needs: a busy loop. */
const BUSY_EVENTS_PER_SECOND = 500;

/** The simulation never came to rest: something keeps scheduling events. */
export class Runaway extends Error {
  override readonly name = 'Runaway';
}

export class Scheduler {
  now: number;
  /** The owner of the event (or command) running now: a timer set by core's transport belongs to it. */
  current: Owner = null;
  /** The timer nesting level of the task running now, its promise chains included (0: not a timer). */
  nesting = 0;
  /** Bumped by every event scheduled: settle() runs until nothing new happens. */
  activity = 0;
  steps = 0;
  /** Called after every event (the invariants that must hold at every step). */
  afterEach: () => void = () => undefined;
  private seq = 0;
  private readonly lanes = new Map<string, SimEvent[]>();
  /** Recent event times per owner, for the busy-loop check. */
  private readonly recent = new Map<Owner, number[]>();

  constructor(
    start: number,
    private readonly choice: Prng,
    private readonly runnable: (owner: Owner) => 'run' | 'wait' | 'drop',
    private readonly trace: Trace,
  ) {
    this.now = start;
  }

  /** Schedules an event; returns its cancel function. */
  schedule(options: ScheduleOptions): () => void {
    const seq = (this.seq += 1);
    const name = options.lane ?? `#${seq}`;
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = []));
    const due = this.now + Math.max(0, options.delay);
    // First in, first out: never before the one scheduled before it.
    const at = options.order === 'time' ? due : Math.max(due, lane.at(-1)?.at ?? due);
    const { owner, label, run } = options;
    const event: SimEvent = { seq, at, owner, label, run, nesting: options.nesting ?? 0, cancelled: false };
    let i = lane.length;
    if (options.order === 'time') while (i > 0 && lane[i - 1].at > at) i -= 1;
    lane.splice(i, 0, event);
    this.activity += 1;
    return () => void (event.cancelled = true);
  }

  /** Runs `work` as `owner` (a command of the test), then settles what it started. */
  async act(owner: Owner, label: string, work: () => void): Promise<void> {
    this.trace.log(owner, label);
    await this.runAs(owner, work);
  }

  /** Runs every event due until `until` (virtual ms) in a PRNG-chosen order; the clock ends at `until`. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const ready = this.readyLanes();
      if (ready.length > 0) {
        await this.runOne(ready[this.choice.int(ready.length)]);
        continue;
      }
      const next = this.nextDue();
      if (next === undefined || next > until) break;
      this.now = next;
    }
    this.now = Math.max(this.now, until);
  }

  /** Whether any event of `owner` is still queued (a frozen tab's backlog). */
  pendingFor(owner: Owner): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.filter((e) => !e.cancelled && e.owner === owner).length;
    return n;
  }

  private async runOne(laneName: string): Promise<void> {
    const lane = this.lanes.get(laneName)!;
    const event = lane.shift()!;
    if (lane.length === 0) this.lanes.delete(laneName);
    this.steps += 1;
    if (this.steps > MAX_STEPS) throw new Runaway(`more than ${MAX_STEPS} events: the browser never comes to rest`);
    this.trace.log(event.owner, event.label);
    this.checkBusy(event.owner);
    await this.runAs(event.owner, event.run, event.nesting);
    this.afterEach();
  }

  /** A tab that runs hundreds of events within one virtual second spins (a timer or message loop). */
  private checkBusy(owner: Owner): void {
    if (owner === null) return;
    let times = this.recent.get(owner);
    if (!times) this.recent.set(owner, (times = []));
    times.push(this.now);
    while (times.length > 0 && times[0] <= this.now - 1_000) times.shift();
    if (times.length > BUSY_EVENTS_PER_SECOND) {
      throw new Runaway(`${owner} ran more than ${BUSY_EVENTS_PER_SECOND} events within one second: a busy loop`);
    }
  }

  private async runAs(owner: Owner, work: () => void, nesting = 0): Promise<void> {
    this.current = owner;
    this.nesting = nesting;
    try {
      work();
      await this.settle();
    } finally {
      this.current = null;
      this.nesting = 0;
    }
  }

  /**
   * Lets every promise chain started by the last event run to its end. Microtasks all
   * run before the next macrotask turn, so one turn does it; a second turn confirms
   * that nothing new was scheduled meanwhile (nothing in the simulation uses real
   * timers or real I/O, so nothing else can be pending).
   */
  private async settle(): Promise<void> {
    for (let turn = 0; turn < 50; turn += 1) {
      const before = this.activity;
      await nextTurn();
      if (this.activity === before && turn > 0) return;
    }
    throw new Runaway('an event never settles: something keeps scheduling within it');
  }

  /** Lanes whose head is due now and whose owner may run; drops cancelled and dead events. */
  private readyLanes(): string[] {
    const ready: string[] = [];
    for (const [name, lane] of this.lanes) {
      const head = this.head(name, lane);
      if (head && head.at <= this.now && this.runnable(head.owner) === 'run') ready.push(name);
    }
    return ready;
  }

  private nextDue(): number | undefined {
    let next: number | undefined;
    for (const [name, lane] of this.lanes) {
      const head = this.head(name, lane);
      if (head && this.runnable(head.owner) === 'run' && (next === undefined || head.at < next)) next = head.at;
    }
    return next;
  }

  private head(name: string, lane: SimEvent[]): SimEvent | undefined {
    while (lane.length > 0 && (lane[0].cancelled || this.runnable(lane[0].owner) === 'drop')) lane.shift();
    if (lane.length === 0) this.lanes.delete(name);
    return lane[0];
  }
}
