import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicStopToOpenaiFinish, openaiFinishToAnthropicStop } from './stop-reasons.ts';

test('Anthropic stop_reason → OpenAI finish_reason', () => {
  const cases: Array<[string | null, string]> = [
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
    ['something_new', 'stop'],
    ['toString', 'stop'],
  ];
  for (const [a, o] of cases) assert.equal(anthropicStopToOpenaiFinish(a), o, String(a));
});

test('OpenAI finish_reason → Anthropic stop_reason', () => {
  const cases: Array<[string | null, string]> = [
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
    ['error', 'end_turn'],
    ['constructor', 'end_turn'],
  ];
  for (const [o, a] of cases) assert.equal(openaiFinishToAnthropicStop(o), a, String(o));
});
