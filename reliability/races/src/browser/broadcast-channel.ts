/**
 * BroadcastChannel: a message posted in one tab reaches every other open channel of
 * the same name, as an event of the receiving tab. Between two tabs messages keep
 * their order (the browser's guarantee); how long each takes, and what the receiving
 * tab runs in between, is the scheduler's choice.
 */
import type { Scheduler } from '../sim/scheduler';

export class FakeChannel {
  onmessage: ((event: MessageEvent) => void) | null = null;
  closed = false;

  constructor(
    private readonly hub: BroadcastHub,
    readonly tab: string,
    readonly name: string,
  ) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new DOMException('the channel is closed', 'InvalidStateError');
    this.hub.post(this, message);
  }

  close(): void {
    this.closed = true;
  }
}

export class BroadcastHub {
  private readonly channels: FakeChannel[] = [];
  /** Messages posted and not yet delivered (or dropped), with the tab each goes to. */
  readonly travelling = new Set<{ readonly to: string; readonly data: unknown }>();

  constructor(
    private readonly scheduler: Scheduler,
    /** How long a message to `tab` takes now (ms). */
    private readonly delayTo: (tab: string) => number,
    private readonly describe: (message: unknown) => string,
  ) {}

  open(tab: string, name: string): FakeChannel {
    const channel = new FakeChannel(this, tab, name);
    this.channels.push(channel);
    return channel;
  }

  /** The tab is gone: its channels hear nothing more. */
  closeTab(tab: string): void {
    for (const channel of this.channels) if (channel.tab === tab) channel.close();
  }

  post(from: FakeChannel, message: unknown): void {
    const what = this.describe(message);
    for (const to of this.channels) {
      if (to === from || to.closed || to.name !== from.name) continue;
      // Structured clone: the receiver gets a copy, as it would.
      const data = structuredClone(message);
      const letter = { to: to.tab, data };
      this.travelling.add(letter);
      this.scheduler.schedule({
        owner: to.tab,
        lane: `channel:${from.tab}->${to.tab}`,
        order: 'fifo',
        delay: this.delayTo(to.tab),
        label: `hears ${what} from ${from.tab}`,
        run: () => {
          this.travelling.delete(letter);
          if (!to.closed) to.onmessage?.(new MessageEvent('message', { data }));
        },
      });
    }
  }
}
