// Login chain: sign-in → authorize → token → refresh with each client on the same emulator, interleaved rounds.
import { median, rotation, round } from './stats.mjs';
import { callHarness } from './test-bed.mjs';

export const LOGIN_CLIENTS = ['v1.2', 'core', 'service'];

/** Requests of one chain as the emulator counted them, without the (untimed) sign-out. */
function chainRequests(stats) {
  return Object.entries(stats.requests)
    .filter(([name]) => name !== 'POST /identity/sign-out')
    .reduce((n, [, count]) => n + count, 0);
}

export async function measureLoginChain(page, bed, { rounds }) {
  const times = Object.fromEntries(LOGIN_CLIENTS.map((c) => [c, []]));
  const requests = Object.fromEntries(LOGIN_CLIENTS.map((c) => [c, new Set()]));
  for (const c of LOGIN_CLIENTS) await callHarness(page, 'loginChain', c); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const c of rotation(LOGIN_CLIENTS, r)) {
      await bed.resetStats();
      times[c].push(await callHarness(page, 'loginChain', c));
      requests[c].add(chainRequests(await bed.stats()));
    }
  }
  const base = median(times['v1.2']);
  return LOGIN_CLIENTS.map((client) => ({
    client,
    rounds,
    medianMs: round(median(times[client]), 1),
    ratioToV12: round(median(times[client]) / base),
    requestsPerChain: [...requests[client]].sort((a, b) => a - b),
  }));
}
