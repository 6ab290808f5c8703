/**
 * Stop-reason maps between Anthropic `stop_reason` and OpenAI `finish_reason`
 * (reference openai-translation.md §3.3; LiteLLM's map, with `model_context_window_exceeded`
 * → `length` and `refusal` → `content_filter`).
 */
import type { AnthropicStopReason } from '../wire/anthropic.ts';
import type { ChatCompletionFinishReason } from '../wire/openai.ts';

/** Anthropic → OpenAI. Unknown or missing values become `stop`. */
export function anthropicStopToOpenaiFinish(reason: unknown): ChatCompletionFinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn, null, unknown
      return 'stop';
  }
}

/** OpenAI → Anthropic. Unknown or missing values (e.g. OpenRouter's `error`) become `end_turn`. */
export function openaiFinishToAnthropicStop(reason: unknown): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default: // stop, null, unknown
      return 'end_turn';
  }
}
