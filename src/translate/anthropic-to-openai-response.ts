/**
 * Anthropic `Message` → OpenAI `ChatCompletion` (non-streaming, Claude served on the OpenAI
 * surface). Reference openai-translation.md §3.3–§3.4.
 *
 * - Text blocks are concatenated without a separator (Anthropic splits text around citations).
 * - `tool_use` blocks → `tool_calls` with `arguments = JSON.stringify(input)`.
 * - `thinking`, `redacted_thinking` and server-tool blocks are dropped (no OpenAI equivalent).
 * - `content` is null when there is no text but there are tool calls, `''` when there is neither.
 * - Usage is cache-inclusive (`usageToOpenai`).
 */
import type { AnthropicMessage } from '../wire/anthropic.ts';
import type { ChatCompletion, ChatCompletionMessage, ChatCompletionMessageToolCall } from '../wire/openai.ts';
import { anthropicStopToOpenaiFinish } from './stop-reasons.ts';
import { usageFromAnthropic, usageToOpenai } from './usage-map.ts';

export interface AnthropicToOpenaiResponseOptions {
  /** Defaults to `chatcmpl-<anthropic id>`. */
  id?: string;
  /** Unix seconds. */
  created: number;
  /** The model name the client asked for (not the upstream id). */
  model: string;
}

export function anthropicToOpenaiResponse(msg: AnthropicMessage, opts: AnthropicToOpenaiResponseOptions): ChatCompletion {
  let text = '';
  let hasText = false;
  const toolCalls: ChatCompletionMessageToolCall[] = [];
  for (const block of msg.content ?? []) {
    if (block.type === 'text') {
      text += block.text;
      hasText = true;
    } else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: hasText && text !== '' ? text : toolCalls.length ? null : '',
    refusal: null,
  };
  if (toolCalls.length) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: opts.id ?? `chatcmpl-${msg.id}`,
    object: 'chat.completion',
    created: opts.created,
    model: opts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: anthropicStopToOpenaiFinish(msg.stop_reason) }],
  };
  if (msg.usage) completion.usage = usageToOpenai(usageFromAnthropic(msg.usage));
  return completion;
}
