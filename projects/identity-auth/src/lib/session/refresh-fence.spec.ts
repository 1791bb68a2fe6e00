import { IndexedDbRefreshFence, LocalRefreshFence } from './refresh-fence';

describe('LocalRefreshFence', () => {
  it('grants a generation once, and no earlier one after it', async () => {
    const fence = new LocalRefreshFence(() => 1_000);
    expect((await fence.claim('s', 3)).granted).toBeTrue();
    expect(await fence.claim('s', 3)).toEqual({ granted: false, claimedAt: 1_000, outcome: undefined });
    expect((await fence.claim('s', 2)).granted).toBeFalse();
    expect((await fence.claim('s', 4)).granted).toBeTrue();
    expect((await fence.claim('other', 1)).granted).toBeTrue();
  });

  it('a refused claim says how its presentation ended: answered (spent), lost, or not yet', async () => {
    const fence = new LocalRefreshFence(() => 1_000);
    await fence.claim('s', 3);
    expect((await fence.claim('s', 3)).outcome).toBeUndefined();
    await fence.settle('s', 3, 'lost');
    expect((await fence.claim('s', 3)).outcome).toBe('lost');
    await fence.settle('s', 3, 'answered');
    expect((await fence.claim('s', 3)).outcome).toBe('answered');
    await fence.claim('s', 4);
    expect((await fence.claim('s', 3)).outcome)
      .withContext('a later generation was claimed')
      .toBe('answered');
    expect((await fence.claim('s', 4)).outcome).toBeUndefined();
  });

  it('grants again after a release of the last claim only', async () => {
    const fence = new LocalRefreshFence();
    await fence.claim('s', 5);
    await fence.release('s', 4);
    expect((await fence.claim('s', 5)).granted).toBeFalse();
    await fence.release('s', 5);
    expect((await fence.claim('s', 5)).granted).toBeTrue();
  });
});

describe('IndexedDbRefreshFence (real IndexedDB)', () => {
  let name: string;
  const fences: IndexedDbRefreshFence[] = [];
  const open = () => {
    const fence = new IndexedDbRefreshFence(indexedDB, name, () => Date.now());
    fences.push(fence);
    return fence;
  };

  beforeEach(() => (name = `fence-spec-${Math.random().toString(36).slice(2)}`));
  afterEach(async () => {
    fences.splice(0).forEach((fence) => fence.close());
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });

  it('of many tabs claiming one generation at once, exactly one is granted', async () => {
    const tabs = [open(), open(), open(), open(), open()];
    const answers = await Promise.all(tabs.map((fence) => fence.claim('session', 7)));
    expect(answers.filter((answer) => answer.granted).length).toBe(1);
    const refused = answers.find((answer) => !answer.granted)!;
    expect(refused.claimedAt).toBeLessThanOrEqual(Date.now());
  });

  it('a tab that was away (a new connection) sees the claim another tab made', async () => {
    expect((await open().claim('session', 1)).granted).toBeTrue();
    expect((await open().claim('session', 1)).granted).toBeFalse();
    expect((await open().claim('session', 2)).granted).toBeTrue();
  });

  it("another tab sees how a claim's presentation ended", async () => {
    const [a, b] = [open(), open()];
    await a.claim('session', 5);
    expect((await b.claim('session', 5)).outcome).toBeUndefined();
    await a.settle('session', 5, 'lost');
    expect(await b.claim('session', 5)).toEqual(jasmine.objectContaining({ granted: false, outcome: 'lost' }));
    await a.settle('session', 5, 'answered');
    expect(await b.claim('session', 5)).toEqual(jasmine.objectContaining({ granted: false, outcome: 'answered' }));
  });

  it('a release lets the generation be claimed again (the server answered without taking it)', async () => {
    const [a, b] = [open(), open()];
    await a.claim('session', 3);
    await a.release('session', 3);
    expect((await b.claim('session', 3)).granted).toBeTrue();
  });

  it('the same tab never presents a generation twice, even if the database lost the claim', async () => {
    const fence = open();
    await fence.claim('session', 9);
    await new Promise((resolve) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => {
        const tx = request.result.transaction('claims', 'readwrite');
        tx.objectStore('claims').clear();
        tx.oncomplete = () => (request.result.close(), resolve(undefined));
      };
    });
    expect((await fence.claim('session', 9)).granted).toBeFalse();
  });
});
