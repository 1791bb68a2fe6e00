// Integration (real Chromium, the real emulator through the Karma proxy, the real
// session engine with withInterceptors([identityAuthInterceptor])): access tokens that
// really die on the server. The Karma emulator issues 30-second tokens, so each token
// answer has its access_token replaced (the emulator's mutate-json fault) by one that
// the emulator's /__tokens control signed with a short `exp`: the API's verdicts on
// those tokens are the real ones.
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { firstValueFrom, type Subscription } from 'rxjs';

import { refreshDelayAfterArrival } from '../session/refresh-schedule';
import {
  cleanSlate,
  closeAllTabs,
  mintedToken,
  nextTokenAnswer,
  openTab,
  requireEmulator,
  resetStats,
  stats,
  type Tab,
  until,
} from '../testing-support/emulator-tabs';
import { identityAuthInterceptor } from './interceptor';

const FRONT_OFFICE = '/api/frontoffice/v1/account';
const LIFETIME_S = 3;

interface ApiStats {
  ok: number;
  unauthorized: number;
  forbidden: number;
}

async function apiStats(): Promise<ApiStats> {
  return ((await (await fetch('/__stats')).json()) as { api: ApiStats }).api;
}

const nowS = () => Math.floor(Date.now() / 1000);

function appTab(): { tab: Tab; http: HttpClient } {
  const tab = openTab({ apis: ['/api/'] }, [], [provideHttpClient(withInterceptors([identityAuthInterceptor]))]);
  return { tab, http: tab.injector.get(HttpClient) };
}

describe('integration: the real engine and interceptor with access tokens that die on the server', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);
  afterEach(closeAllTabs);

  it('200 concurrent requests meet a token the server finds expired → one token request, 200 successes', async () => {
    const { tab, http } = appTab();
    await tab.service.restore();
    // The login's token is dead on the server, though its answer claims 30 s.
    await nextTokenAnswer(await mintedToken({ iat: nowS() - 120, exp: nowS() - 60 }), 30);
    await tab.login();
    await resetStats();

    const answers = await Promise.all(
      Array.from({ length: 200 }, () => firstValueFrom(http.get<{ accountId: string }>(FRONT_OFFICE))),
    );

    expect(answers.every((answer) => typeof answer.accountId === 'string')).toBeTrue();
    const after = await stats();
    expect(after.tokenRequests).toEqual({ refresh_token: 1 });
    expect(await apiStats()).toEqual({ ok: 200, unauthorized: 200, forbidden: 0 });
    expect(tab.count('refreshed')).toBe(1);
  });

  it('steady traffic across five 3-second lifetimes: every token dies on the server, no 401 reaches the caller', async () => {
    const { tab, http } = appTab();
    await tab.service.restore();
    // Each token answer carries a fresh token living LIFETIME_S on the server from
    // the moment the client is expected to receive it: it is minted when the previous
    // one arrives, so its `exp` adds the delay after which the engine refreshes.
    const refreshAfterS = refreshDelayAfterArrival(LIFETIME_S * 1000) / 1000;
    const armNext = async () =>
      nextTokenAnswer(
        await mintedToken({ exp: Math.ceil(Date.now() / 1000 + refreshAfterS + LIFETIME_S) }),
        LIFETIME_S,
      );
    const arming: Promise<void>[] = [];
    const feeder: Subscription = tab.service.events$.subscribe((event) => {
      if (event.type === 'signedIn' || event.type === 'refreshed') arming.push(armNext());
    });
    const failures: unknown[] = [];
    let sent = 0;
    let answered = 0;
    let running = true;
    let firstToken = '';
    try {
      await nextTokenAnswer(await mintedToken({ exp: nowS() + LIFETIME_S + 1 }), LIFETIME_S);
      await tab.login();
      await resetStats();
      firstToken = (await tab.service.getAccessToken()) ?? '';
      const start = Date.now();
      // Four callers, each sending a request as soon as its previous one is answered
      // (with a short pause), for five lifetimes.
      const callers = Array.from({ length: 4 }, async () => {
        while (running) {
          sent++;
          await firstValueFrom(http.get(FRONT_OFFICE)).then(
            () => answered++,
            (error: unknown) => failures.push(error),
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      await until(() => Date.now() - start >= 5 * LIFETIME_S * 1000 || failures.length > 0, 'five lifetimes', 30_000);
      running = false;
      await Promise.all(callers);
      await Promise.all(arming);
    } finally {
      running = false;
      feeder.unsubscribe();
    }

    expect(failures).toEqual([]);
    expect(answered).toBe(sent);
    const after = await stats();
    const api = await apiStats();
    // Every request that reached the API with a good token succeeded; any 401 was
    // healed by a refresh and one replay, so the API saw exactly one success per call.
    expect(api.ok).toBe(sent);
    expect(api.forbidden).toBe(0);
    // At least one rotation per lifetime, and every token answer was a short-lived one.
    expect(after.tokenRequests['refresh_token']).toBeGreaterThanOrEqual(5);
    expect(after.faultsApplied).toBe(after.tokenRequests['refresh_token']);
    expect(after.refreshReuseDetected).toBe(0);
    expect(tab.service.status()).toBe('signed-in');
    // The first token of the run is dead on the server by now.
    const stale = await fetch(FRONT_OFFICE, { headers: { authorization: `Bearer ${firstToken}` } });
    expect(stale.status).toBe(401);
  }, 60_000);
});
