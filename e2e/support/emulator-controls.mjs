// The emulator's test controls (/__stats, /__faults), reached through the demo's origin.

async function control(baseUrl, method, path, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`e2e: ${method} ${path} answered ${response.status}`);
  return response.status === 204 ? undefined : response.json().catch(() => undefined);
}

/**
 * The emulator's counters: `{ requests, tokenRequests, refreshReuseDetected, api, signIn, revoked, faultsApplied }`.
 * @param {string} baseUrl
 */
export function readStats(baseUrl) {
  return control(baseUrl, 'GET', '/__stats');
}

/** @param {string} baseUrl */
export function resetStats(baseUrl) {
  return control(baseUrl, 'POST', '/__stats/reset');
}

/**
 * Makes the next `fault.count` requests to `fault.path` misbehave (see the emulator's README).
 * @param {string} baseUrl
 * @param {{ path: string, mode: string, count?: number } & Record<string, unknown>} fault
 */
export function armFault(baseUrl, fault) {
  return control(baseUrl, 'POST', '/__faults', fault);
}

/** @param {string} baseUrl */
export function disarmFaults(baseUrl) {
  return control(baseUrl, 'DELETE', '/__faults');
}

/** Refresh-token requests that reached the token endpoint. */
export function refreshRequests(stats) {
  return stats.tokenRequests?.refresh_token ?? 0;
}

/**
 * Revokes every grant of the trader for `spa` at the server, as an administrator would:
 * a sign-out with a token minted by the emulator and no identity-session cookie.
 * @param {string} baseUrl
 */
export async function revokeTraderGrants(baseUrl) {
  const { access_token: token } = await control(baseUrl, 'POST', '/__tokens', {});
  const response = await fetch(new URL('/identity/sign-out', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (response.status !== 204) throw new Error(`e2e: the revoking sign-out answered ${response.status}`);
}
