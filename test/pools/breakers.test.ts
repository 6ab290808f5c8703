/**
 * Health: a circuit breaker per upstream opens after consecutive failures (no more traffic to
 * it), lets one probe through half-open once its wait is over (injected clock) and closes on
 * success; a 429's retry-after keeps traffic away for that long; an upstream whose own rate
 * window is exhausted is not sent into until the window resets. The state is visible through
 * `GET /admin/v1/upstreams` (operator only) and `tollgate upstream list --json`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import type { TestGateway } from '../support/gateway.ts';
import { eventsOf, poolGateway } from './support.ts';

const ADMIN = 'pool-admin-token-0123456789abcdef';
let A: FakeUpstream;
let B: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;
const clock = new ManualClock(Date.now());

before(async () => {
  A = await startFakeUpstream();
  B = await startFakeUpstream();
  tg = await poolGateway(
    {
      upstreams: [
        { name: 'a', kind: 'anthropic', baseUrl: A.url, models: ['claude-sonnet-4-5'], priority: 0 },
        { name: 'b', kind: 'anthropic', baseUrl: B.url, models: ['claude-sonnet-4-5'], priority: 1 },
      ],
      pool: { breaker: { failures: 3, openMs: 10_000, minRequests: 1000 } },
    },
    { clock, env: { TOLLGATE_ADMIN_TOKEN: ADMIN } },
  );
  c = await tg.customer();
});
after(async () => {
  await tg?.close();
  await A?.close();
  await B?.close();
});

const ask = { model: 'claude-sonnet-4-5', max_tokens: 32, messages: [{ role: 'user' as const, content: 'hi' }] };
const anthropic = () => new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
const health = async (name: string) => {
  const r = await fetch(`${tg.url}/admin/v1/upstreams`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(r.status, 200);
  return ((await r.json()) as any).upstreams.find((u: any) => u.name === name);
};

test('the breaker opens after consecutive failures, probes half-open after its wait, and closes on success', async () => {
  A.setDefault({ kind: 'json', status: 500 });
  for (let i = 0; i < 3; i++) {
    const m = i % 2 ? await anthropic().messages.create(ask) : await openai().chat.completions.create(ask);
    assert.ok(m, 'each request was answered by b');
  }
  assert.equal(A.requests.length, 3);
  const open = await health('a');
  assert.equal(open.state, 'open');
  assert.equal(open.recent_failures.length, 3);
  assert.match(open.recent_failures[0].reason, /HTTP 500/);
  assert.equal((await health('b')).state, 'closed');
  assert.ok((await health('b')).latency_ms.p50 !== null);

  // Open: a gets nothing; the request is served by b in one attempt.
  const served = await anthropic().messages.create(ask);
  assert.equal(A.requests.length, 3, 'no traffic to an open breaker');
  await new Promise((r) => setTimeout(r, 50));
  const ev = (await eventsOf(tg, c.orgId)).find((e) => e.id === served._request_id)!;
  assert.equal(ev.upstream, 'b');
  assert.equal(ev.attempts, 1n);

  // The CLI shows the same state, read from the running gateway.
  const listed = await cliList();
  assert.equal(listed.find((u: any) => u.name === 'a')?.state, 'open');

  // After the wait: one probe goes to a (half-open); it succeeds and the breaker closes.
  clock.advance(10_001);
  assert.equal((await health('a')).state, 'half_open');
  A.setDefault({ kind: 'normal' });
  await openai().chat.completions.create(ask);
  assert.equal(A.requests.length, 4, 'the probe went to a');
  assert.equal((await health('a')).state, 'closed');
  await anthropic().messages.create(ask);
  assert.equal(A.requests.length, 5, 'a serves again');
});

test('a failed probe opens the breaker again for another wait', async () => {
  A.setDefault({ kind: 'json', status: 503 });
  for (let i = 0; i < 3; i++) await anthropic().messages.create(ask);
  assert.equal((await health('a')).state, 'open');
  clock.advance(10_001);
  const n = A.requests.length;
  await anthropic().messages.create(ask); // the probe fails, b answers
  assert.equal(A.requests.length, n + 1);
  assert.equal((await health('a')).state, 'open');
  await anthropic().messages.create(ask);
  assert.equal(A.requests.length, n + 1, 'open again: no traffic');
  clock.advance(10_001);
  A.setDefault({ kind: 'normal' });
  await anthropic().messages.create(ask);
  assert.equal((await health('a')).state, 'closed');
});

test("a 429's retry-after keeps traffic away from that upstream until it has passed", async () => {
  A.script({ kind: 'json', status: 429, headers: { 'retry-after': '30' } });
  await anthropic().messages.create(ask);
  const n = A.requests.length;
  const h = await health('a');
  assert.ok(h.cooling_until, 'cooling down');
  assert.equal(h.state, 'closed', 'a 429 is not a health failure');
  await openai().chat.completions.create(ask);
  assert.equal(A.requests.length, n, 'not sent into the refused window');
  clock.advance(30_001);
  await anthropic().messages.create(ask);
  assert.equal(A.requests.length, n + 1);
});

test('an upstream that reports an exhausted rate window is not sent into until it resets', async () => {
  const reset = new Date(clock.now() + 20_000).toISOString();
  A.script({
    headers: { 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': reset },
  });
  await anthropic().messages.create(ask);
  const n = A.requests.length;
  assert.equal((await health('a')).rate_limit.headroom, 0);
  await anthropic().messages.create(ask);
  assert.equal(A.requests.length, n, 'b served while a had no headroom');
  clock.advance(20_001);
  await anthropic().messages.create(ask);
  assert.equal(A.requests.length, n + 1);
});

test("GET /admin/v1/upstreams is the operator's: an org admin key is refused", async () => {
  const r = await fetch(`${tg.url}/admin/v1/upstreams`, { headers: { 'x-api-key': c.adminKey } });
  assert.equal(r.status, 403);
  assert.equal(((await r.json()) as any).error.type, 'permission_error');
});

async function cliList() {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/tollgate.mjs', 'upstream', 'list', '--json'], {
    env: { ...process.env, ...tg.env, TOLLGATE_URL: tg.url, TOLLGATE_ADMIN_TOKEN: ADMIN },
  });
  return JSON.parse(stdout);
}
