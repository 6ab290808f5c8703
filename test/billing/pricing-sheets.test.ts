/**
 * Price sheets and the catalog's dated rows, through the real `tollgate` CLI against a running
 * gateway's database: non-Anthropic cache prices are never derived with Anthropic's multipliers,
 * a past effective date needs --backdate, `estimate` applies the long-context band like
 * settlement does, and `prices sources` says when each provider was checked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let tg: TestGateway;
const dir = mkdtempSync(join(tmpdir(), 'tg-sheets-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
before(async () => {
  tg = await startTestGateway();
});
after(async () => {
  await tg?.close();
});

test('a sheet without cache prices for gpt-4o is refused; with them, writes default to input (never 1.25x/0.1x)', async () => {
  await assert.rejects(tg.cli('prices', 'import', file('a.csv', 'model,input,output\ngpt-4o,2.50,10\n')), (e: any) =>
    /cache_read: required for non-Anthropic/.test(e.stderr ?? e.message),
  );
  const r = await tg.cli('prices', 'import', file('b.csv', 'model,input,output,cache_read\ngpt-4o,2.50,10,1.25\n'));
  assert.equal(r.imported, 1);
  const rows = await tg.cli('prices', 'list', '--model', 'gpt-4o');
  const cur = rows.find((x: any) => x.current && x.source.startsWith('import:'));
  assert.equal(cur.cache_read, '1.25', 'gpt-4o cached input is $1.25 (list), not $0.25');
  assert.equal(cur.cache_write_5m, '2.5');
  // Anthropic models still get Anthropic's documented multipliers.
  await tg.cli('prices', 'import', file('c.csv', 'model,input,output\nclaude-haiku-4-5,1,5\n'));
  const h = (await tg.cli('prices', 'list', '--model', 'claude-haiku-4-5')).find((x: any) => x.current);
  assert.deepEqual([h.cache_write_5m, h.cache_write_1h, h.cache_read], ['1.25', '2', '0.1']);
});

test('a past effective date needs --backdate; history is not replaced silently', async () => {
  const sheet = file('old.csv', 'model,input,output,cache_read\ngpt-4o-mini,9,9,9\n');
  await assert.rejects(tg.cli('prices', 'import', sheet, '--effective', '2020-01-01'), (e: any) => /in the past .*--backdate/.test(e.stderr ?? e.message));
  const inSheet = file(
    'old2.json',
    JSON.stringify({ effective_from: '2020-01-01', models: [{ model: 'gpt-4o-mini', input: '9', output: '9', cache_read: '9' }] }),
  );
  await assert.rejects(tg.cli('prices', 'import', inSheet), (e: any) => /--backdate/.test(e.stderr ?? e.message));
  const ok = await tg.cli('prices', 'import', sheet, '--effective', '2020-01-01', '--backdate');
  assert.equal(ok.imported, 1);
  const future = await tg.cli('prices', 'import', file('next.csv', 'model,input,output,cache_read\ngpt-4o-mini,1,2,0.5\n'), '--effective', '2099-01-01');
  assert.equal(future.imported, 1);
});

test('estimate prices every token at the long-context rate above the band (Gemini 2.5 Pro: $1.40), and fast/geo as reported', async () => {
  const long = await tg.cli('estimate', '--model', 'gemini-2.5-pro', '--input', '500000', '--output', '10000');
  assert.equal(long.cost_usd, '1.4');
  assert.equal(long.price_variant, 'long-context');
  const inBand = await tg.cli('estimate', '--model', 'gemini-2.5-pro', '--input', '150000', '--cache-read', '50000', '--output', '10000');
  assert.equal(inBand.price_variant, '');
  const over = await tg.cli('estimate', '--model', 'gemini-2.5-pro', '--input', '150000', '--cache-read', '50001', '--output', '0');
  assert.equal(over.price_variant, 'long-context', 'cache reads count towards the band');
  const fast = await tg.cli('estimate', '--model', 'claude-opus-5', '--input', '100000', '--output', '10000', '--speed', 'fast', '--geo', 'us');
  assert.equal(fast.cost_usd, '1.65');
});

test('announced price changes are effective-dated rows; prices sources lists a checked date per provider', async () => {
  const rows = await tg.cli('prices', 'list', '--model', 'gemini-3.6-flash', '--all');
  assert.ok(
    rows.some((r: any) => r.effective_from.startsWith('2027-01-01')),
    JSON.stringify(rows),
  );
  const src = await tg.cli('prices', 'sources');
  const by = Object.fromEntries(src.map((s: any) => [s.provider, s]));
  assert.equal(by.anthropic.checked_at, '2026-08-21');
  assert.match(by.deepseek.checked_at, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(by.xai.checked_at, '2026-12-02');
  assert.ok(by.xai.checked_models.includes('grok-4.3'));
  for (const p of ['google', 'mistral', 'groq']) {
    assert.equal(by[p].checked_at, null, `${p}: its pricing page was not compared`);
    assert.match(by[p].note, /NOT re-checked/);
  }
  assert.ok(src.length >= 10);
});

test('estimate bills a re-checked xAI row at the page price (grok-4.3: $1.25 in, $0.20 cached, $2.50 out)', async () => {
  const r = await tg.cli('estimate', '--model', 'grok-4.3', '--input', '100000', '--cache-read', '50000', '--output', '10000');
  assert.equal(r.cost_usd, '0.16');
  assert.equal(r.price_variant, '');
});
