// Interceptor overhead: requests with a valid token through HttpClient and a no-op backend, per variant,
// in interleaved rounds; main-thread time per request and the ratio to bare HttpClient.
import { median, rotation, round } from './stats.mjs';
import { callHarness } from './test-bed.mjs';

/** Variants the harness knows; the other libraries' interceptors need a live session of their own kind. */
export const INTERCEPTOR_VARIANTS = ['bare', 'ours', 'hand-written', 'angular-oauth2-oidc', 'keycloak-angular'];

export async function measureInterceptors(page, { total, rounds, batch }) {
  const perRound = Math.ceil(total / rounds);
  const times = Object.fromEntries(INTERCEPTOR_VARIANTS.map((v) => [v, []]));
  const served = Object.fromEntries(INTERCEPTOR_VARIANTS.map((v) => [v, 0]));
  // one untimed round each: JIT warm-up and lazy injector creation
  for (const v of INTERCEPTOR_VARIANTS) await callHarness(page, 'interceptorRound', v, 2000, batch);
  for (let r = 0; r < rounds; r++) {
    for (const v of rotation(INTERCEPTOR_VARIANTS, r)) {
      const { ms, withToken } = await callHarness(page, 'interceptorRound', v, perRound, batch);
      times[v].push((ms * 1000) / perRound);
      served[v] += withToken;
    }
  }
  const bare = median(times.bare);
  return INTERCEPTOR_VARIANTS.map((variant) => ({
    variant,
    requests: perRound * rounds,
    withToken: served[variant],
    usPerRequest: round(median(times[variant])),
    ratioToBare: round(median(times[variant]) / bare),
  }));
}
