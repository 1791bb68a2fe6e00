// The browser platform sets every timer, listener and channel or lock callback up outside
// Angular's zone (here a recording stand-in for NgZone.runOutsideAngular: Karma runs zoneless).
import { BrowserIdentityAuthPlatform, type RunOutsideAngular } from './identity-auth-platform';

describe('BrowserIdentityAuthPlatform outside the Angular zone', () => {
  let depth: number;
  let entered: number;
  let platform: BrowserIdentityAuthPlatform;
  const outside: RunOutsideAngular = (work) => {
    entered += 1;
    depth += 1;
    try {
      return work();
    } finally {
      depth -= 1;
    }
  };

  beforeEach(() => {
    depth = 0;
    entered = 0;
    platform = new BrowserIdentityAuthPlatform(window, document.baseURI, outside);
  });

  it('arms timers and the interval outside', () => {
    const timeout = spyOn(window, 'setTimeout').and.callFake((() => {
      expect(depth).toBe(1);
      return 1;
    }) as unknown as typeof setTimeout);
    const interval = spyOn(window, 'setInterval').and.callFake((() => {
      expect(depth).toBe(1);
      return 2;
    }) as unknown as typeof setInterval);
    platform.setTimeout(() => undefined, 10)();
    platform.setInterval(() => undefined, 10)();
    expect(timeout).toHaveBeenCalledTimes(1);
    expect(interval).toHaveBeenCalledTimes(1);
  });

  it('adds window listeners outside', () => {
    const add = spyOn(window, 'addEventListener').and.callFake(() => expect(depth).toBe(1));
    platform.listen('online', () => undefined)();
    expect(add).toHaveBeenCalledTimes(1);
  });

  it('listens to its channel from outside, and delivers to the handler set later', async () => {
    const depths: number[] = [];
    const add = BroadcastChannel.prototype.addEventListener;
    spyOn(BroadcastChannel.prototype, 'addEventListener').and.callFake(function (
      this: BroadcastChannel,
      ...args: Parameters<BroadcastChannel['addEventListener']>
    ) {
      depths.push(depth);
      add.apply(this, args);
    });
    const name = `platform-spec-${Math.random()}`;
    const channel = platform.openChannel(name)!;
    const heard = new Promise<unknown>((resolve) => (channel.onmessage = (event) => resolve(event.data)));
    const sender = new BroadcastChannel(name);
    sender.postMessage('hello');
    expect(await heard).toBe('hello');
    expect(depths).toEqual([1]);
    sender.close();
    channel.close();
  });

  it('requests locks and runs their callbacks outside', async () => {
    const locks = platform.locks()!;
    let depthInCallback = -1;
    await locks.request(`platform-spec-${Math.random()}`, async () => {
      depthInCallback = depth;
    });
    expect(depthInCallback).toBe(1);
    expect(entered).toBeGreaterThanOrEqual(2);
  });
});
