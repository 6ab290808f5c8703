/**
 * Prometheus `/metrics` on a running gateway: who may scrape it, and that the figures match what
 * happened (requests, tokens equal to the usage events, refusals by reason, upstream errors,
 * histograms, Node runtime metrics) with no org or key in any label.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { usageEvents } from '../support/db.ts';

const ADMIN = 'operator-token-0123456789';
const SCRAPE = 'scrape-token-0123456789ab';
let fake: FakeUpstream;
let tg: TestGateway;
before(async () => {
  fake = await startFakeUpstream();
  tg = await startTestGateway({ upstreamUrl: fake.url, openaiUpstreamUrl: fake.url, env: { TOLLGATE_ADMIN_TOKEN: ADMIN, TOLLGATE_METRICS_TOKEN: SCRAPE } });
});
after(async () => {
  await tg?.close();
  await fake?.close();
});

/** Parses the text exposition format into `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}
const scrape = async (token = SCRAPE) => parse(await (await fetch(`${tg.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text());

test('metrics need the operator or scrape token', async () => {
  assert.equal((await fetch(`${tg.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${tg.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
  const c = await tg.customer();
  assert.equal((await fetch(`${tg.url}/metrics`, { headers: { authorization: `Bearer ${c.key}` } })).status, 401, 'an inference key is not a scrape token');
  assert.equal((await fetch(`${tg.url}/metrics`, { headers: { 'x-api-key': c.adminKey } })).status, 401, 'nor is a tenant admin key');
  for (const t of [ADMIN, SCRAPE]) {
    const r = await fetch(`${tg.url}/metrics`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  }
});

test('requests, tokens, cost, refusals, upstream errors and latency are counted with bounded labels', async () => {
  const c = await tg.customer();
  const claude = new Anthropic({ baseURL: tg.url, apiKey: c.key, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${tg.url}/v1`, apiKey: c.key, maxRetries: 0 });
  const before = await scrape();
  const at = (m: Map<string, number>, k: string) => m.get(k) ?? 0;

  fake.script({ kind: 'usage', usage: { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 300 } as any });
  await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'Hello' }] });
  fake.script([
    { kind: 'chunking', sizes: 'random' },
    { kind: 'usage', usage: { input_tokens: 10, output_tokens: 20 } as any },
  ]);
  await claude.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
  await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] });
  // Refusals: a bad key, a bad body, an unknown model; an upstream 500.
  await assert.rejects(
    new Anthropic({ baseURL: tg.url, apiKey: 'sk-tg-nope', maxRetries: 0 }).messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    }),
  );
  await fetch(`${tg.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': c.key, 'content-type': 'application/json' }, body: '{"model": ' });
  await assert.rejects(claude.messages.create({ model: 'claude-nonexistent-9', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
  fake.script({ kind: 'json', status: 500 });
  await assert.rejects(claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));

  const m = await scrape();
  const d = (k: string) => at(m, k) - at(before, k);
  const ev = (await usageEvents(tg.databaseUrl, { orgId: c.orgId })).filter((e) => e.status === 200n || Number(e.status) === 200);
  assert.equal(ev.length, 3);
  const model = ev[0]!.model; // the catalog id the alias resolved to
  assert.ok(ev.every((e) => e.model === model));
  assert.equal(d(`tollgate_requests_total{surface="anthropic",model="${model}",status="200"}`), 2);
  assert.equal(d(`tollgate_requests_total{surface="openai",model="${model}",status="200"}`), 1);
  assert.equal(d('tollgate_requests_total{surface="anthropic",model="none",status="401"}'), 1);
  assert.equal(d('tollgate_requests_total{surface="anthropic",model="none",status="400"}'), 1);
  assert.equal(d('tollgate_requests_total{surface="anthropic",model="none",status="404"}'), 1);
  assert.ok(
    d(`tollgate_requests_total{surface="anthropic",model="${model}",status="500"}`) +
      d(`tollgate_requests_total{surface="anthropic",model="${model}",status="502"}`) >=
      1,
  );
  assert.equal(d('tollgate_refusals_total{surface="anthropic",reason="auth"}'), 1);
  assert.equal(d('tollgate_refusals_total{surface="anthropic",reason="bad_request"}'), 2);
  assert.equal(d('tollgate_upstream_errors_total{upstream="anthropic",kind="500"}'), 1);

  // Tokens equal the usage events' sums.
  const sum = (f: 'input_tokens' | 'output_tokens' | 'cache_read_tokens') => ev.reduce((s, e) => s + Number(e[f]), 0);
  assert.equal(d(`tollgate_tokens_total{model="${model}",kind="input"}`), sum('input_tokens'));
  assert.equal(d(`tollgate_tokens_total{model="${model}",kind="output"}`), sum('output_tokens'));
  assert.equal(d(`tollgate_tokens_total{model="${model}",kind="cache_read"}`), 300);
  const costUsd = ev.reduce((s, e) => s + Number(e.cost), 0) / 1e12;
  assert.ok(Math.abs(d(`tollgate_cost_usd_total{model="${model}"}`) - costUsd) < 1e-9);

  // Histograms: whole request, upstream, what the gateway adds, time to first byte of streams.
  assert.equal(d('tollgate_request_duration_seconds_count{surface="anthropic",stream="true"}'), 1);
  assert.ok(d('tollgate_upstream_duration_seconds_count{upstream="anthropic"}') >= 3);
  assert.ok(d('tollgate_gateway_added_seconds_count{surface="anthropic",stream="false"}') >= 1);
  assert.equal(d('tollgate_time_to_first_byte_seconds_count{surface="anthropic"}'), 1);
  // Gauges and the runtime.
  assert.equal(at(m, 'tollgate_inflight_requests'), 0);
  assert.equal(at(m, 'tollgate_spend_holds_outstanding'), 0);
  assert.equal(at(m, 'tollgate_usage_queue_depth'), 0);
  // Each upstream's circuit breaker (one 500 is below the default threshold of 5: still closed).
  assert.equal(m.get('tollgate_upstream_breaker_state{upstream="anthropic"}'), 0);
  assert.ok(m.has('tollgate_usage_queue_lag_seconds'));
  assert.ok(m.has('process_cpu_user_seconds_total'));
  assert.ok([...m.keys()].some((k) => k.startsWith('nodejs_eventloop_lag')));
  // No tenant identifiers in any label.
  const all = [...m.keys()].join('\n');
  assert.doesNotMatch(all, new RegExp(`${c.orgId}|${c.keyId}|${c.workspaceId}|org=`));
});

test('an open stream shows in the in-flight and spend-hold gauges', async () => {
  const c = await tg.customer();
  fake.script({ kind: 'delay', betweenEventsMs: 100 });
  const res = await fetch(`${tg.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': c.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 30, stream: true, messages: [{ role: 'user', content: 'x' }] }),
  });
  const reader = res.body!.getReader();
  await reader.read();
  const m = await scrape(ADMIN);
  assert.equal(m.get('tollgate_inflight_requests'), 1);
  assert.equal(m.get('tollgate_spend_holds_outstanding'), 1);
  while (!(await reader.read()).done) {
    /* drain */
  }
  await new Promise((r) => setTimeout(r, 50));
  const m2 = await scrape(ADMIN);
  assert.equal(m2.get('tollgate_inflight_requests'), 0);
  assert.equal(m2.get('tollgate_spend_holds_outstanding'), 0);
});

test('the Grafana dashboard queries only metrics the gateway exports', async () => {
  const { readFileSync } = await import('node:fs');
  const dash = JSON.parse(readFileSync(new URL('../../deploy/grafana/tollgate.json', import.meta.url), 'utf8'));
  const text = await (await fetch(`${tg.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPE}` } })).text();
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const names = new Set<string>();
  for (const p of dash.panels)
    for (const t of p.targets)
      for (const m of t.expr.matchAll(/\b((?:tollgate|process|nodejs)_[a-z0-9_]+)/g)) names.add(m[1]!.replace(/_(bucket|sum|count)$/, ''));
  assert.ok(names.size >= 15);
  for (const n of names) assert.ok(exported.has(n), `${n} is exported`);
});
