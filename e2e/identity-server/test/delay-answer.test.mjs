// The `delay-answer` fault: the real handler acts at once, its answer leaves late.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { addFault, loginChain, refresh, stats, useEmulator, waitFor } from './helpers.mjs';

let base;
useEmulator((url) => {
  base = url;
});

const TOKEN = '/identity/connect/token';

describe('fault control delay-answer', () => {
  test('the refresh token is rotated at once; the answer (status, body) arrives ms later, unchanged', async () => {
    const { tokens } = await loginChain(base);
    await addFault(base, { path: TOKEN, mode: 'delay-answer', ms: 600 });
    const started = Date.now();
    const late = refresh(base, 'spa', tokens.refresh_token);
    // GET /__faults counts the answers ready and held: the handler has rotated by then
    await waitFor(async () => (await (await fetch(`${base}/__faults`)).json()).heldAnswers === 1);
    const meanwhile = await refresh(base, 'spa', tokens.refresh_token);
    const answer = await late;
    assert.equal(meanwhile.status, 400, 'the old refresh token was spent while the answer was held');
    assert.equal(meanwhile.json.error, 'invalid_grant');
    assert.ok(Date.now() - started >= 590, `answered after ${Date.now() - started} ms`);
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.json.access_token, 'string');
    assert.notEqual(answer.json.refresh_token, tokens.refresh_token);
    assert.equal((await (await fetch(`${base}/__faults`)).json()).heldAnswers, 0);
    assert.equal((await stats(base)).tokenRequests.refresh_token, 2);
  });

  test('needs ms', async () => {
    const response = await fetch(`${base}/__faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: TOKEN, mode: 'delay-answer' }),
    });
    assert.equal(response.status, 400);
  });
});
