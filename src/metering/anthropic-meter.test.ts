/**
 * Anthropic usage extraction: JSON usage objects and SSE streams (cumulative message_delta,
 * growing input, cut streams, errors after 200, every byte split of the §3.3 literal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnthropicStreamMeter, usageFromAnthropic } from './anthropic-meter.ts';
import { SseParser, type SseEvent } from './sse-parser.ts';
import { ANTHROPIC_LITERAL, ANTHROPIC_UNICODE, enc, parseChunks, splitAt } from '../../test/support/metering-streams.ts';
import { type Clock, fixedClock } from '../core/clock.ts';

const U = (o: Partial<ReturnType<typeof usageFromAnthropic>>) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  webSearchRequests: 0,
  ...o,
});

function meter(events: SseEvent[], clock: Clock = fixedClock(0)): AnthropicStreamMeter {
  const m = new AnthropicStreamMeter(clock);
  for (const e of events) m.observe(e);
  return m;
}
const sse = (s: string) => parseChunks([s]);
const ev = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const start = (usage: unknown) => ev('message_start', { type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage } });
const delta = (usage: unknown, stop_reason: string | null = 'end_turn') =>
  ev('message_delta', { type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage });

test('usageFromAnthropic: full object with the TTL split', () => {
  assert.deepEqual(
    usageFromAnthropic({
      input_tokens: 2095,
      output_tokens: 503,
      cache_read_input_tokens: 2051,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      server_tool_use: { web_search_requests: 3, web_fetch_requests: 2 },
      service_tier: 'standard',
    }),
    U({
      inputTokens: 2095,
      outputTokens: 503,
      cacheReadTokens: 2051,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
      webSearchRequests: 3,
      webFetchRequests: 2,
      serviceTier: 'standard',
    }),
  );
});

test('usageFromAnthropic: without the split object all cache writes are 5m; with it the split wins', () => {
  assert.deepEqual(
    usageFromAnthropic({ input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 700 }),
    U({ inputTokens: 1, outputTokens: 2, cacheWrite5mTokens: 700 }),
  );
  assert.deepEqual(usageFromAnthropic({ cache_creation_input_tokens: 700, cache_creation: null }), U({ cacheWrite5mTokens: 700 }));
  assert.deepEqual(
    usageFromAnthropic({ cache_creation_input_tokens: 700, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 700 } }),
    U({ cacheWrite1hTokens: 700 }),
  );
});

test('usageFromAnthropic: null, missing, negative and non-numeric fields are 0, never NaN', () => {
  const garbage = [
    undefined,
    null,
    42,
    'x',
    [],
    {},
    { input_tokens: null, output_tokens: null, cache_read_input_tokens: null, cache_creation_input_tokens: null, cache_creation: null, server_tool_use: null },
    {
      input_tokens: -5,
      output_tokens: 'abc',
      cache_read_input_tokens: NaN,
      cache_creation_input_tokens: Infinity,
      server_tool_use: { web_search_requests: -1 },
    },
    { input_tokens: {}, output_tokens: [3], cache_creation: { ephemeral_5m_input_tokens: -3, ephemeral_1h_input_tokens: 'z' } },
  ];
  for (const g of garbage) {
    const u = usageFromAnthropic(g);
    for (const v of Object.values(u)) assert.ok(Number.isSafeInteger(v) && v >= 0, `${JSON.stringify(g)} -> ${JSON.stringify(u)}`);
  }
  assert.deepEqual(usageFromAnthropic({ input_tokens: 12.9, output_tokens: '7' }), U({ inputTokens: 12, outputTokens: 7 }));
});

test('§3.3 literal: usage, stop reason, completion, ids, first content time', () => {
  let t = 100;
  const m = meter(sse(ANTHROPIC_LITERAL), { now: () => t++ });
  assert.deepEqual(m.usage(), U({ inputTokens: 25, outputTokens: 15, cacheReadTokens: 2051, serviceTier: 'standard' }));
  assert.equal(m.stopReason, 'end_turn');
  assert.equal(m.complete, true);
  assert.equal(m.error, undefined);
  assert.equal(m.messageId, 'msg_01XYZ');
  assert.equal(m.model, 'claude-sonnet-4-5-20250929');
  assert.equal(m.firstContentAt, 100); // the first content_block_delta, read once
  assert.equal(m.malformedEvents, 0);
});

for (const [name, text] of [
  ['§3.3 literal', ANTHROPIC_LITERAL],
  ['emoji/CJK stream', ANTHROPIC_UNICODE],
] as const) {
  test(`${name}: the final usage is identical for every byte split`, () => {
    const bytes = enc(text);
    const expected = meter(sse(text)).usage();
    assert.ok(expected);
    for (let i = 0; i <= bytes.length; i++) {
      const events = parseChunks(splitAt(bytes, i));
      const m = meter(events);
      assert.deepEqual(m.usage(), expected, `split at ${i}`);
      assert.equal(m.complete, true);
    }
  });
}

test('emoji/CJK stream: split cache writes from message_start survive an output-only message_delta', () => {
  const m = meter(sse(ANTHROPIC_UNICODE));
  assert.deepEqual(m.usage(), U({ inputTokens: 12, outputTokens: 7, cacheWrite5mTokens: 40, cacheWrite1hTokens: 60 }));
  assert.equal(m.stopReason, 'max_tokens');
});

test('web search: input grows in message_delta (2679 -> 10682) and the final value wins, never a sum', () => {
  const s =
    start({ input_tokens: 2679, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 }) +
    delta({ input_tokens: 5000, output_tokens: 100, server_tool_use: { web_search_requests: 1 } }, null) +
    delta({
      input_tokens: 10682,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 510,
      server_tool_use: { web_search_requests: 1 },
    }) +
    ev('message_stop', { type: 'message_stop' });
  const m = meter(sse(s));
  assert.deepEqual(m.usage(), U({ inputTokens: 10682, outputTokens: 510, webSearchRequests: 1 }));
  assert.equal(m.stopReason, 'end_turn');
});

test('null fields in message_delta keep the message_start values', () => {
  const s =
    start({
      input_tokens: 50,
      cache_read_input_tokens: 900,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      output_tokens: 1,
    }) + delta({ input_tokens: null, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 42, server_tool_use: null });
  assert.deepEqual(meter(sse(s)).usage(), U({ inputTokens: 50, outputTokens: 42, cacheReadTokens: 900, cacheWrite5mTokens: 100, cacheWrite1hTokens: 200 }));
});

test('usage fields null in message_start', () => {
  const s =
    start({ input_tokens: 10, cache_read_input_tokens: null, cache_creation_input_tokens: null, cache_creation: null, output_tokens: null }) +
    delta({ output_tokens: 5 });
  assert.deepEqual(meter(sse(s)).usage(), U({ inputTokens: 10, outputTokens: 5 }));
});

test('stream cut before message_delta: usage from message_start, complete=false', () => {
  const cut = ANTHROPIC_LITERAL.slice(0, ANTHROPIC_LITERAL.indexOf('event: message_delta'));
  const m = meter(sse(cut));
  assert.deepEqual(m.usage(), U({ inputTokens: 25, outputTokens: 1, cacheReadTokens: 2051, serviceTier: 'standard' }));
  assert.equal(m.complete, false);
  assert.equal(m.stopReason, undefined);
});

test('no message_start: usage() is undefined', () => {
  const m = meter(sse(delta({ output_tokens: 5 })));
  assert.equal(m.usage(), undefined);
  assert.equal(m.stopReason, 'end_turn');
});

test('event: error after HTTP 200 is recorded; the stream is not complete', () => {
  const s =
    start({ input_tokens: 30, output_tokens: 1 }) + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
  const m = meter(sse(s));
  assert.deepEqual(m.error, { type: 'overloaded_error', message: 'Overloaded' });
  assert.equal(m.complete, false);
  assert.deepEqual(m.usage(), U({ inputTokens: 30, outputTokens: 1 }));
  assert.deepEqual(meter(sse('event: error\ndata: upstream exploded\n\n')).error, { type: 'error', message: 'upstream exploded' });
});

test('content_block_delta data is never JSON-parsed', () => {
  const s = ANTHROPIC_LITERAL.replace(/"text":"Hello"}}/, '"text":"Hello"}} NOT JSON {{{');
  const m = meter(sse(s));
  assert.equal(m.malformedEvents, 0);
  assert.deepEqual(m.usage(), U({ inputTokens: 25, outputTokens: 15, cacheReadTokens: 2051, serviceTier: 'standard' }));
});

test('without event: lines the type is sniffed from data (compact, spaced, or reordered keys)', () => {
  const noNames = ANTHROPIC_LITERAL.replace(/^event: .*\n/gm, '');
  const m = meter(sse(noNames), fixedClock(7));
  assert.deepEqual(m.usage(), U({ inputTokens: 25, outputTokens: 15, cacheReadTokens: 2051, serviceTier: 'standard' }));
  assert.equal(m.complete, true);
  assert.equal(m.firstContentAt, 7);
  const spaced =
    'data: {"type": "message_start", "message": {"id": "m", "usage": {"input_tokens": 3}}}\n\n' +
    'data: {"usage": {"output_tokens": 9}, "delta": {"stop_reason": "end_turn"}, "type": "message_delta"}\n\n';
  assert.deepEqual(meter(sse(spaced)).usage(), U({ inputTokens: 3, outputTokens: 9 }));
});

test('a parser feeding a meter chunk by chunk works incrementally', () => {
  const p = new SseParser();
  const m = new AnthropicStreamMeter(fixedClock(1));
  const bytes = enc(ANTHROPIC_LITERAL);
  for (let i = 0; i < bytes.length; i += 5) for (const e of p.push(bytes.subarray(i, i + 5))) m.observe(e);
  for (const e of p.end()) m.observe(e);
  assert.deepEqual(m.usage(), U({ inputTokens: 25, outputTokens: 15, cacheReadTokens: 2051, serviceTier: 'standard' }));
  assert.equal(m.complete, true);
});

test('usage() returns a copy', () => {
  const m = meter(sse(ANTHROPIC_LITERAL));
  m.usage()!.inputTokens = 999;
  assert.equal(m.usage()!.inputTokens, 25);
});
