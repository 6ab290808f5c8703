/**
 * Anthropic's usage report (GET /v1/organizations/usage_report/messages) against the documented
 * shape, field by field, with numbers equal to `tollgate usage` for the same days; paging, empty
 * buckets, filters, reported dimensions, errors in Anthropic's envelope (anthropic-cost.test.ts:
 * the cost report and isolation).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { usageReport } from '../../src/usage/report.ts';
import { DAY0, DAYS, EVENTS, orgApiFixture } from './support.ts';

let f: Awaited<ReturnType<typeof orgApiFixture>>;
before(async () => {
  f = await orgApiFixture();
});
after(async () => {
  await f?.tg.close();
});

const RANGE = `starting_at=2026-10-05T00:00:00Z&ending_at=2026-10-08T00:00:00Z`;
const RESULT_KEYS = [
  'account_id',
  'api_key_id',
  'cache_creation',
  'cache_read_input_tokens',
  'context_window',
  'inference_geo',
  'model',
  'output_tokens',
  'server_tool_use',
  'service_account_id',
  'service_tier',
  'speed',
  'uncached_input_tokens',
  'workspace_id',
];

test('daily buckets, ungrouped: the documented shape, every dimension null, totals equal `tollgate usage`', async () => {
  const r = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(Object.keys(r.json).sort(), ['data', 'has_more', 'next_page']);
  assert.equal(r.json.has_more, false);
  assert.equal(r.json.next_page, null);
  assert.equal(r.json.data.length, DAYS);
  assert.deepEqual(
    r.json.data.map((b: any) => [b.starting_at, b.ending_at]),
    [
      ['2026-10-05T00:00:00Z', '2026-10-06T00:00:00Z'],
      ['2026-10-06T00:00:00Z', '2026-10-07T00:00:00Z'],
      ['2026-10-07T00:00:00Z', '2026-10-08T00:00:00Z'],
    ],
  );
  for (const [i, b] of r.json.data.entries()) {
    assert.equal(b.results.length, 1);
    const x = b.results[0];
    assert.deepEqual(Object.keys(x).sort(), RESULT_KEYS);
    assert.deepEqual(Object.keys(x.cache_creation).sort(), ['ephemeral_1h_input_tokens', 'ephemeral_5m_input_tokens']);
    assert.deepEqual(Object.keys(x.server_tool_use), ['web_search_requests']);
    for (const k of ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo', 'speed', 'account_id', 'service_account_id'])
      assert.equal(x[k], null, k);
    for (const k of ['uncached_input_tokens', 'cache_read_input_tokens', 'output_tokens']) assert.equal(typeof x[k], 'number');
    // Each day equals `tollgate usage` for that day (the report the CLI prints, read in-process here;
    // the real CLI is run once below for the whole range).
    const day = new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);
    const next = new Date(DAY0 + (i + 1) * 86_400_000).toISOString().slice(0, 10);
    const u = await usageReport(f.tg.gw.store.db, { orgId: f.A.orgId, since: day, until: next });
    assert.equal(x.uncached_input_tokens, u.input_tokens, day);
    assert.equal(x.output_tokens, u.output_tokens, day);
    assert.equal(x.cache_read_input_tokens, u.cache_read_input_tokens, day);
    assert.equal(x.cache_creation.ephemeral_5m_input_tokens + x.cache_creation.ephemeral_1h_input_tokens, u.cache_creation_input_tokens, day);
  }
  const cli = await f.tg.cli('usage', '--org', f.A.orgId, '--since', '2026-10-05', '--until', '2026-10-08');
  const sum = (k: string) => r.json.data.reduce((s: number, b: any) => s + b.results[0][k], 0);
  assert.equal(sum('uncached_input_tokens'), cli.input_tokens);
  assert.equal(sum('output_tokens'), cli.output_tokens);
  assert.equal(sum('cache_read_input_tokens'), cli.cache_read_input_tokens);
  const ws = r.json.data.reduce((s: number, b: any) => s + b.results[0].server_tool_use.web_search_requests, 0);
  const rows = await f.tg.gw.store.db.selectFrom('usage_events').select('web_search_requests').where('org_id', '=', f.A.orgId).execute();
  assert.equal(
    ws,
    rows.reduce((s, e) => s + Number(e.web_search_requests), 0),
  );
  assert.ok(ws > 0, 'the fixture has web searches');
});

test('grouped by model and workspace: the grouped dimensions are filled, the rest null, the groups sum to the day', async () => {
  const all = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d`);
  const r = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&group_by[]=model&group_by[]=workspace_id&group_by[]=context_window`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  for (const [i, b] of r.json.data.entries()) {
    assert.ok(b.results.length > 3, 'several model × workspace groups');
    for (const x of b.results) {
      assert.ok(x.model && x.workspace_id, 'grouped dimensions are set');
      assert.equal(x.context_window, '0-200k');
      assert.equal(x.api_key_id, null);
      assert.equal(x.service_tier, null);
      assert.ok([f.A.workspaceId, f.ws2].includes(x.workspace_id));
    }
    const total = all.json.data[i].results[0];
    for (const k of ['uncached_input_tokens', 'output_tokens', 'cache_read_input_tokens']) {
      assert.equal(
        b.results.reduce((s: number, x: any) => s + x[k], 0),
        total[k],
        k,
      );
    }
  }
  // A filter narrows to one model (and that model only).
  const model = r.json.data[0].results[0].model;
  const one = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&group_by[]=model&models[]=${model}`);
  assert.ok(one.json.data.every((b: any) => b.results.every((x: any) => x.model === model)));
  // Another org's key filter matches nothing in this org.
  const none = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&api_key_ids[]=${f.B.keyId}`);
  assert.ok(none.json.data.every((b: any) => b.results.length === 0));
});

test('hourly buckets page by the default limit (24) with next_page, empty buckets kept, and sum to the whole', async () => {
  let url = `/v1/organizations/usage_report/messages?starting_at=2026-10-04T12:00:00Z&ending_at=2026-10-08T00:00:00Z&bucket_width=1h`;
  const buckets: any[] = [];
  let pages = 0;
  for (;;) {
    const r = await f.get(url);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    pages++;
    assert.ok(r.json.data.length <= 24);
    buckets.push(...r.json.data);
    if (!r.json.has_more) {
      assert.equal(r.json.next_page, null);
      break;
    }
    assert.match(r.json.next_page, /^page_/);
    url = `/v1/organizations/usage_report/messages?starting_at=2026-10-04T12:00:00Z&ending_at=2026-10-08T00:00:00Z&bucket_width=1h&page=${encodeURIComponent(r.json.next_page)}`;
  }
  assert.equal(buckets.length, 84, '12 h before the events + 3 days');
  assert.equal(pages, 4);
  assert.equal(buckets[0].starting_at, '2026-10-04T12:00:00Z');
  assert.ok(
    buckets.slice(0, 12).every((b) => b.results.length === 0),
    'empty buckets are kept, with no results',
  );
  for (let i = 1; i < buckets.length; i++) assert.equal(buckets[i].starting_at, buckets[i - 1].ending_at, 'contiguous');
  const u = await usageReport(f.tg.gw.store.db, { orgId: f.A.orgId, since: '2026-10-05', until: '2026-10-08' });
  assert.equal(
    buckets.reduce((s, b) => s + (b.results[0]?.output_tokens ?? 0), 0),
    u.output_tokens,
  );
  assert.equal(u.requests, EVENTS);
  // Minute buckets: default 60 per page, limit up to 1440; starting_at snaps to the bucket start.
  const m = await f.get('/v1/organizations/usage_report/messages?starting_at=2026-10-05T00:07:30Z&bucket_width=1m&ending_at=2026-10-05T02:00:00Z');
  assert.equal(m.json.data.length, 60);
  assert.equal(m.json.data[0].starting_at, '2026-10-05T00:07:00Z');
  assert.equal(m.json.data[0].results.length, 1, 'the event at 00:07');
  assert.equal(m.json.has_more, true);
});

test("bad queries get 400 in Anthropic's error envelope", async () => {
  const cases = [
    '/v1/organizations/usage_report/messages',
    '/v1/organizations/usage_report/messages?starting_at=yesterday',
    `/v1/organizations/usage_report/messages?${RANGE}&bucket_width=5m`,
    `/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&limit=32`,
    `/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1h&limit=169`,
    `/v1/organizations/usage_report/messages?${RANGE}&group_by[]=org_id`,
    `/v1/organizations/usage_report/messages?${RANGE}&service_tiers[]=gold`,
    `/v1/organizations/usage_report/messages?${RANGE}&page=page_bm9wZQ==`,
    `/v1/organizations/usage_report/messages?${RANGE}&tenant=B`,
    '/v1/organizations/usage_report/messages?starting_at=2026-10-08T00:00:00Z&ending_at=2026-10-05T00:00:00Z',
    `/v1/organizations/cost_report?${RANGE}&bucket_width=1h`,
    `/v1/organizations/cost_report?${RANGE}&group_by[]=model`,
  ];
  for (const path of cases) {
    const r = await f.get(path);
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.type, 'error');
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.match(r.json.request_id, /^req_/);
  }
});

test('service tier, inference geography and speed come from what the upstream reported', async () => {
  const db = f.tg.gw.store.db;
  const ev = await db.selectFrom('usage_events').select('id').where('org_id', '=', f.A.orgId).orderBy('created_at').executeTakeFirstOrThrow();
  await db
    .updateTable('usage_events')
    .set({ speed: 'fast', inference_geo: 'us', service_tier: 'priority' } as never)
    .where('id', '=', ev.id)
    .execute();
  const r = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&group_by[]=speed&group_by[]=inference_geo&group_by[]=service_tier`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const day0 = r.json.data[0].results;
  assert.equal(day0.length, 2);
  const fast = day0.find((x: any) => x.speed === 'fast');
  assert.deepEqual([fast.inference_geo, fast.service_tier], ['us', 'priority']);
  const rest = day0.find((x: any) => x.speed === 'standard');
  assert.deepEqual([rest.inference_geo, rest.service_tier], ['not_available', 'standard']);
  const only = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&speeds[]=fast&inference_geos[]=us`);
  assert.equal(only.json.data[0].results.length, 1);
  assert.ok(only.json.data.slice(1).every((b: any) => b.results.length === 0));
  await db
    .updateTable('usage_events')
    .set({ speed: null, inference_geo: null, service_tier: null } as never)
    .where('id', '=', ev.id)
    .execute();
});
