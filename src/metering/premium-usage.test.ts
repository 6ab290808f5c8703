import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnthropicStreamMeter, usageFromAnthropic } from './anthropic-meter.ts';
import { OpenaiStreamMeter, usageFromOpenai } from './openai-meter.ts';

test('Anthropic usage: speed, service tier, inference geo and server-tool counts are read as reported', () => {
  const u = usageFromAnthropic({
    input_tokens: 10,
    output_tokens: 5,
    speed: 'fast',
    service_tier: 'priority',
    inference_geo: 'us',
    server_tool_use: { web_search_requests: 1, web_fetch_requests: 2, code_execution_requests: 3 },
  });
  assert.equal(u.speed, 'fast');
  assert.equal(u.serviceTier, 'priority');
  assert.equal(u.inferenceGeo, 'us');
  assert.equal(u.webSearchRequests, 1);
  assert.equal(u.webFetchRequests, 2);
  assert.equal(u.codeExecutionRequests, 3);
});

test('Anthropic usage: garbage labels are dropped, never stored', () => {
  const u = usageFromAnthropic({ input_tokens: 1, speed: { evil: true }, inference_geo: 'x'.repeat(500), service_tier: 'Standard' });
  assert.equal(u.speed, undefined);
  assert.equal(u.inferenceGeo, undefined);
  assert.equal(u.serviceTier, 'standard');
});

test('Anthropic stream: message_delta overrides the reported speed/geo seen at message_start', () => {
  const m = new AnthropicStreamMeter();
  m.observe({
    event: 'message_start',
    data: JSON.stringify({
      type: 'message_start',
      message: { id: 'msg_1', usage: { input_tokens: 5, output_tokens: 1, service_tier: 'standard', inference_geo: 'us' } },
    }),
  });
  m.observe({
    event: 'message_delta',
    data: JSON.stringify({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 9, speed: 'fast', server_tool_use: { web_fetch_requests: 4 } },
    }),
  });
  const u = m.usage()!;
  assert.equal(u.speed, 'fast');
  assert.equal(u.inferenceGeo, 'us');
  assert.equal(u.serviceTier, 'standard');
  assert.equal(u.webFetchRequests, 4);
  assert.equal(u.outputTokens, 9);
});

test('OpenAI: the response service_tier is recorded (JSON and stream)', () => {
  assert.equal(usageFromOpenai({ prompt_tokens: 3, completion_tokens: 2 }, 'priority').serviceTier, 'priority');
  assert.equal(usageFromOpenai({ prompt_tokens: 3, completion_tokens: 2 }).serviceTier, undefined);
  const m = new OpenaiStreamMeter();
  m.observe({
    data: JSON.stringify({ id: 'c', model: 'gpt-5', service_tier: 'flex', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }),
  });
  m.observe({ data: JSON.stringify({ id: 'c', model: 'gpt-5', service_tier: 'flex', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } }) });
  assert.equal(m.usage()!.serviceTier, 'flex');
});
