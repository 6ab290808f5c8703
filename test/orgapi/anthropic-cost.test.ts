/**
 * Anthropic's cost report (GET /v1/organizations/cost_report) against the documented shape, with
 * amounts equal to `tollgate usage`; and tenant / workspace isolation of both reports.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DAY0, DAYS, orgApiFixture, sumDecimals, usdToCentUnits } from './support.ts';

let f: Awaited<ReturnType<typeof orgApiFixture>>;
before(async () => {
  f = await orgApiFixture();
});
after(async () => {
  await f?.tg.close();
});

const RANGE = `starting_at=2026-10-05T00:00:00Z&ending_at=2026-10-08T00:00:00Z`;

test('cost report: amounts are exact decimal strings in cents, USD, equal to `tollgate usage`; descriptions split each day exactly', async () => {
  const r = await f.get(`/v1/organizations/cost_report?${RANGE}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.data.length, DAYS);
  const u = await f.tg.cli('usage', '--org', f.A.orgId, '--since', '2026-10-05', '--until', '2026-10-08');
  const amounts = r.json.data.map((b: any) => {
    assert.equal(b.results.length, 1);
    return b.results[0];
  });
  for (const x of amounts) {
    assert.equal(x.currency, 'USD');
    assert.match(x.amount, /^\d+(\.\d+)?$/);
    for (const k of ['workspace_id', 'description', 'cost_type', 'model', 'token_type', 'service_tier', 'context_window', 'inference_geo'])
      assert.equal(x[k], null, k);
  }
  assert.equal(sumDecimals(amounts.map((x: any) => x.amount)), usdToCentUnits(u.cost_usd), 'cents = 100 × cost_usd, exactly');

  const d = await f.get(`/v1/organizations/cost_report?${RANGE}&group_by[]=description&group_by[]=workspace_id`);
  assert.equal(d.status, 200, JSON.stringify(d.json));
  const models = f.tg.gw.rt.models();
  for (const [i, b] of d.json.data.entries()) {
    assert.ok(b.results.length > 5);
    assert.equal(sumDecimals(b.results.map((x: any) => x.amount)), sumDecimals([amounts[i].amount]), 'the lines of a day sum to the day');
    for (const x of b.results) {
      assert.ok(['tokens', 'web_search'].includes(x.cost_type));
      assert.ok(x.model && models.resolve(x.model), x.model);
      assert.ok([f.A.workspaceId, f.ws2].includes(x.workspace_id));
      if (x.cost_type === 'tokens')
        assert.ok(
          [
            'uncached_input_tokens',
            'output_tokens',
            'cache_read_input_tokens',
            'cache_creation.ephemeral_5m_input_tokens',
            'cache_creation.ephemeral_1h_input_tokens',
          ].includes(x.token_type),
          x.token_type,
        );
      else assert.equal(x.token_type, null);
      assert.match(x.description, / Usage - /);
    }
  }
  // Output tokens of the undiscounted model cost exactly tokens × list price.
  const sonnet = models.resolve('claude-sonnet-4-5')!.id;
  const rows = await f.tg.gw.store.db
    .selectFrom('usage_events')
    .select(['output_tokens', 'created_at'])
    .where('org_id', '=', f.A.orgId)
    .where('model', '=', sonnet)
    .execute();
  const day0 = rows.filter((e) => Number(e.created_at) < DAY0 + 86_400_000).reduce((s, e) => s + BigInt(e.output_tokens), 0n);
  const price = f.tg.gw.rt.prices().resolve(sonnet, null, DAY0)!.prices.output; // µUSD per MTok = pico-USD per token
  const line = d.json.data[0].results.filter((x: any) => x.model === sonnet && x.token_type === 'output_tokens');
  assert.equal(
    sumDecimals(line.map((x: any) => x.amount)),
    day0 * price,
    'cents = pico-USD / 10¹⁰, so in units of 10⁻¹⁰ cents the amount is the pico-USD figure',
  );
});

test('isolation: another org sees none of it; a workspace admin key sees its workspace only', async () => {
  const b = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&group_by[]=api_key_id`, f.B.adminKey);
  assert.equal(b.status, 200);
  assert.ok(b.json.data.every((x: any) => x.results.every((y: any) => y.api_key_id === f.B.keyId)));
  const w = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&group_by[]=workspace_id`, f.wsAdmin);
  assert.equal(w.status, 200);
  assert.ok(w.json.data.every((x: any) => x.results.every((y: any) => y.workspace_id === f.ws2)));
  assert.ok(w.json.data.some((x: any) => x.results.length));
  const other = await f.get(`/v1/organizations/usage_report/messages?${RANGE}&bucket_width=1d&workspace_ids[]=${f.A.workspaceId}`, f.wsAdmin);
  assert.ok(
    other.json.data.every((x: any) => x.results.length === 0),
    'asking for another workspace gives nothing',
  );
  const c = await f.get(`/v1/organizations/cost_report?${RANGE}&group_by[]=workspace_id`, f.wsAdmin);
  assert.ok(c.json.data.every((x: any) => x.results.every((y: any) => y.workspace_id === f.ws2)));
  // Inference keys and the operator token are refused.
  assert.equal((await f.get(`/v1/organizations/usage_report/messages?${RANGE}`, f.A.key)).status, 403);
});
