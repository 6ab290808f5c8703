/**
 * A hostile client and a broken upstream against a running gateway: client input is echoed only
 * as a short prefix; upstream errors reach the client without the operator's account details;
 * an Idempotency-Key cannot replay another request's answer; count_tokens is admitted like any
 * request; slow, stalled and key-guessing clients are cut off; one org cannot take more than its
 * share of concurrent requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

let fake: FakeUpstream;
let tg: TestGateway;
let c: Awaited<ReturnType<TestGateway['customer']>>;
const H = (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
const ask = (model = 'claude-haiku-4-5') => ({ model, max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] });

before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({
    upstreamUrl: fake.url,
    openaiUpstreamUrl: fake.url,
    env: { TOLLGATE_HEADERS_TIMEOUT_MS: '300', TOLLGATE_REQUEST_TIMEOUT_MS: '2000', TOLLGATE_AUTH_FAILURE_BURST: '0' },
  });
  c = await tg.customer({ name: 'Hostile' });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = H(c.key)) {
  const r = await fetch(`${tg.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, text, json: text.startsWith('{') ? JSON.parse(text) : null, headers: r.headers };
}

test('a 200 KB model name comes back as a short prefix, on both surfaces', async () => {
  const huge = `m${'A'.repeat(200_000)}`;
  const a = await post('/v1/messages', { ...ask(huge) });
  assert.equal(a.status, 404);
  assert.ok(a.text.length < 400, `Anthropic error is ${a.text.length} bytes`);
  assert.match(a.json.error.message, /200001 characters/);
  const o = await post(
    '/v1/chat/completions',
    { model: huge, messages: [{ role: 'user', content: 'hi' }] },
    { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
  );
  assert.equal(o.status, 404);
  assert.ok(o.text.length < 400, `OpenAI error is ${o.text.length} bytes`);
  const m = await fetch(`${tg.url}/v1/models/${'B'.repeat(10_000)}`, { headers: { 'x-api-key': c.key } });
  const mt = await m.text();
  assert.equal(m.status, 404);
  assert.ok(mt.length < 400);
  const bad = await fetch(`${tg.url}/v1/models/%E0%A4%A`, { headers: { 'x-api-key': c.key } });
  assert.equal(bad.status, 404, 'a malformed escape in a model id is a 404, not a 500');
  // Every error message is bounded, whatever it quotes (here: an unknown field name of 100 KB in the admin API).
  const admin = await post(
    `/admin/v1/orgs/${c.orgId}/keys`,
    { [`k${'x'.repeat(100_000)}`]: 1 },
    { 'x-api-key': c.adminKey, 'content-type': 'application/json' },
  );
  assert.equal(admin.status, 413, 'admin bodies are small');
  const admin2 = await post(
    `/admin/v1/orgs/${c.orgId}/keys`,
    { [`k${'x'.repeat(50_000)}`]: 1 },
    { 'x-api-key': c.adminKey, 'content-type': 'application/json' },
  );
  assert.equal(admin2.status, 400);
  assert.ok(admin2.text.length < 1300, `admin error is ${admin2.text.length} bytes`);
});

test("upstream errors are re-rendered in the client's envelope without the operator's account details", async () => {
  const claude = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const secrets = ['3f1c9b2e-7a41-4c3d-9e8f-1a2b3c4d5e6f', 'org-Zq81kdLmPQ7', 'sk-proj-****abcd', 'ops@operator.example', '$1,234.56'];

  fake.script({
    kind: 'json',
    status: 429,
    headers: { 'retry-after': '7' },
    body: {
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: `This request would exceed your organization's (${secrets[0]}) rate limit of 40,000 input tokens per minute.`,
      },
    },
  });
  const rl = await claude.messages.create(ask()).catch((e) => e);
  assert.ok(rl instanceof Anthropic.RateLimitError);
  assert.equal(rl.headers.get('retry-after'), '7', 'the retry hint travels');

  fake.script({
    kind: 'json',
    status: 400,
    body: {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: `Your credit balance is too low to access the Anthropic API (balance ${secrets[4]}, organization ${secrets[0]}).`,
      },
    },
  });
  const billing = await claude.messages.create(ask()).catch((e) => e);
  assert.equal(billing.status, 502, "the operator's billing problem is not a bad request");

  fake.script({
    kind: 'json',
    status: 400,
    body: {
      type: 'error',
      error: { type: 'invalid_request_error', message: `messages.0: bad block for ${secrets[1]} (contact ${secrets[3]}, key ${secrets[2]})` },
    },
  });
  const bad = await claude.messages.create(ask()).catch((e) => e);
  assert.ok(bad instanceof Anthropic.BadRequestError);
  assert.match(bad.message, /messages\.0: bad block/, 'what the upstream says about the request is kept');

  fake.script({
    kind: 'json',
    status: 401,
    body: { error: { message: `Incorrect API key provided: ${secrets[2]}`, type: 'invalid_request_error', code: 'invalid_api_key' } },
  });
  const auth = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  assert.equal(auth.status, 502);

  fake.script({
    kind: 'json',
    status: 429,
    body: {
      error: {
        message: `Rate limit reached for gpt-4o-mini in organization ${secrets[1]} on tokens per min (TPM): Limit 10000, Used 9000.`,
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    },
  });
  const orl = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  assert.ok(orl instanceof OpenAI.RateLimitError);

  fake.script({
    kind: 'json',
    status: 429,
    body: {
      error: {
        message: `You exceeded your current quota, please check your plan and billing details (${secrets[1]}).`,
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
    },
  });
  const quota = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
  assert.ok(quota.status === 429 || quota.status === 502);

  for (const e of [rl, billing, bad, auth, orl, quota]) {
    const seen = `${e.message} ${JSON.stringify(e.error ?? {})}`;
    for (const s of secrets) assert.ok(!seen.includes(s) && !seen.includes('Zq81kd') && !seen.includes('3f1c9b2e'), `${s} leaked: ${seen}`);
  }
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: c.orgId })).filter((e) => e.status >= 400).length, 0, 'upstream errors bill nothing');
});

test('an Idempotency-Key reused with a different body is a 422; with the same body it replays', async () => {
  const key = `idem-${Date.now()}`;
  const first = await post('/v1/messages', ask(), { ...H(c.key), 'idempotency-key': key });
  assert.equal(first.status, 200);
  const other = await post('/v1/messages', { ...ask(), max_tokens: 21 }, { ...H(c.key), 'idempotency-key': key });
  assert.equal(other.status, 422);
  assert.equal(other.json.error.type, 'invalid_request_error');
  assert.match(other.json.error.message, /different request/);
  const again = await post('/v1/messages', ask(), { ...H(c.key), 'idempotency-key': key });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text);
  const openaiSurface = await post(
    '/v1/chat/completions',
    { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] },
    { authorization: `Bearer ${c.key}`, 'content-type': 'application/json', 'idempotency-key': key },
  );
  assert.equal(openaiSurface.status, 422, 'the same key on another endpoint is another request');
});

test('count_tokens is admitted like any request: the request bucket and an account in good standing; still free', async () => {
  const broke = await tg.customer({ name: 'Broke', credits: '0' });
  const r = await post('/v1/messages/count_tokens', ask(), H(broke.key));
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /credit balance/i);

  const slow = await tg.customer({ name: 'Slow' });
  await tg.accounts.updateOrg(slow.orgId, { rateLimits: JSON.stringify({ rpm: 5, itpm: 1_000_000, otpm: 1_000_000 }) });
  await tg.gw.refresh();
  const codes: number[] = [];
  for (let i = 0; i < 8; i++) codes.push((await post('/v1/messages/count_tokens', ask(), H(slow.key))).status);
  assert.deepEqual(codes.slice(0, 5), [200, 200, 200, 200, 200]);
  assert.ok(
    codes.slice(5).every((s) => s === 429),
    `then 429: ${codes}`,
  );
  const ok = await post('/v1/messages/count_tokens', ask(), H(c.key));
  assert.ok(ok.headers.get('anthropic-ratelimit-requests-limit'), 'rate-limit headers like any request');
  assert.equal((await usageEvents(tg.databaseUrl, { orgId: slow.orgId })).length, 0, 'never billed');
});

/** A raw socket: write `head`, then resolve with what came back when the server closes it (or null at the deadline). */
function rawExchange(head: string, opts: { trickle?: string; everyMs?: number; deadlineMs?: number } = {}): Promise<string | null> {
  const u = new URL(tg.url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      clearInterval(timer);
      s.destroy();
      resolve(null);
    }, opts.deadlineMs ?? 15_000);
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('close', () => {
      clearTimeout(deadline);
      clearInterval(timer);
      resolve(got);
    });
    s.on('error', () => {});
    s.write(head);
    if (opts.trickle)
      timer = setInterval(() => {
        if (!s.destroyed) s.write(opts.trickle!);
      }, opts.everyMs ?? 50);
  });
}

test('a client trickling its headers is disconnected by the headers timeout', async () => {
  const got = await rawExchange('POST /v1/messages HTTP/1.1\r\nHost: x\r\n', { trickle: 'X', everyMs: 50 });
  assert.notEqual(got, null, 'the server closed the connection before our deadline');
});

test('after a failed authentication the connection is closed, the rest of the body unread', async () => {
  const got = await rawExchange(
    `POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: sk-tg-${'z'.repeat(48)}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":`,
    { trickle: 'x', everyMs: 50 },
  );
  assert.ok(got !== null, 'closed');
  assert.match(got!, /^HTTP\/1\.1 401/);
  assert.match(got!, /connection: close/i);
  // A complete request with a bad key: 401 and no keep-alive either.
  const r = await fetch(`${tg.url}/v1/models`, { headers: { 'x-api-key': 'sk-tg-nope' } });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('connection'), 'close');
});

test('failed authentications are throttled per client address; a good key recovers when the bucket refills', async () => {
  const clock = new ManualClock(Date.now());
  const g = await startTestGateway({
    upstreamUrl: fake.url,
    clock,
    env: { TOLLGATE_AUTH_FAILURE_BURST: '5', TOLLGATE_AUTH_FAILURES_PER_MINUTE: '2', TOLLGATE_ADMIN_TOKEN: 'throttle-admin-token-0123456789' },
  });
  try {
    const k = await g.customer();
    const models = (key: string) =>
      fetch(`${g.url}/v1/models`, { headers: { 'x-api-key': key } }).then(async (r) => {
        await r.arrayBuffer();
        return r;
      });
    for (let i = 0; i < 5; i++) assert.equal((await models(`sk-tg-${String(i).repeat(48)}`)).status, 401);
    const blocked = await models(`sk-tg-${'9'.repeat(48)}`);
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal((await models(k.key)).status, 429, 'the address is refused before its key is looked at');
    const guess = await fetch(`${g.url}/admin/v1/orgs`, { headers: { authorization: 'Bearer guess-guess-guess-guess' } });
    assert.equal(guess.status, 429, 'operator-token guessing is throttled too');
    clock.advance(60_000);
    assert.equal((await models(k.key)).status, 200, 'a minute later the address may try again');
  } finally {
    await g.close();
  }
});

test('a per-org concurrency limit is checked before the body is read', async () => {
  const g = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_MAX_CONCURRENT_PER_ORG: '2', TOLLGATE_REQUEST_TIMEOUT_MS: '30000' } });
  const u = new URL(g.url);
  const k = await g.customer();
  const other = await g.customer({ name: 'Neighbour' });
  const held: net.Socket[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const s = net.connect(Number(u.port), u.hostname);
      s.on('error', () => {});
      s.write(
        `POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${k.key}\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{`,
      );
      held.push(s);
    }
    const third = async (key: string) =>
      fetch(`${g.url}/v1/messages`, { method: 'POST', headers: H(key), body: JSON.stringify(ask()) }).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    let r = await third(k.key);
    for (let i = 0; i < 100 && r.status === 200; i++) r = await third(k.key); // the held requests may still be connecting
    assert.equal(r.status, 429);
    assert.match(r.body, /concurrent/);
    assert.equal((await third(other.key)).status, 200, 'another org is not affected');
    for (const s of held) s.destroy();
    let after = await third(k.key);
    for (let i = 0; i < 100 && after.status === 429; i++) {
      await new Promise((res) => setTimeout(res, 20));
      after = await third(k.key);
    }
    assert.equal(after.status, 200, 'slots free up when those requests end');
  } finally {
    for (const s of held) s.destroy();
    await g.close();
  }
});

test('a client that stops reading is cut off after the write timeout; its slot and hold are released, the usage billed', async () => {
  const g = await startTestGateway({ upstreamUrl: fake.url, env: { TOLLGATE_WRITE_TIMEOUT_MS: '300', TOLLGATE_MAX_CONCURRENT_PER_ORG: '1' } });
  const u = new URL(g.url);
  const k = await g.customer();
  const sockets: net.Socket[] = [];
  try {
    for (const stream of [true, false]) {
      const n = fake.requests.length;
      fake.script({ text: 'x'.repeat(24_000_000), kind: 'usage', usage: { input_tokens: 10, output_tokens: 6_000_000 } as any });
      const s = net.connect(Number(u.port), u.hostname);
      s.on('error', () => {});
      sockets.push(s);
      const body = JSON.stringify({ ...ask(), max_tokens: 8_000_000, stream });
      s.write(
        `POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${k.key}\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      s.pause(); // never read the reply
      // With one slot per org, the next request gets through only once the stalled one was cut off.
      let status = 0;
      for (let i = 0; i < 400 && status !== 200; i++) {
        const r = await fetch(`${g.url}/v1/models`, { headers: { 'x-api-key': k.key } });
        await r.arrayBuffer();
        status = r.status;
        if (status !== 200) await new Promise((res) => setTimeout(res, 50));
      }
      assert.equal(status, 200, `${stream ? 'stream' : 'JSON'}: the stalled reply released its slot`);
      assert.ok(fake.requests.length > n);
    }
    const ev = await usageEvents(g.databaseUrl, { orgId: k.orgId });
    assert.equal(ev.length, 2, 'both were billed (what was produced)');
  } finally {
    for (const s of sockets) s.destroy();
    await g.close();
  }
});
