/**
 * Public API of the OpenAI ⇄ Anthropic translation layer: pure functions and stream state
 * machines, no HTTP. Wire types live in `src/wire/`.
 */
export { openaiToAnthropicRequest, DROPPED_OPENAI_PARAMS, REJECTED_OPENAI_PARAMS } from './openai-to-anthropic-request.ts';
export type { OpenaiToAnthropicRequestOptions } from './openai-to-anthropic-request.ts';
export { anthropicToOpenaiResponse } from './anthropic-to-openai-response.ts';
export type { AnthropicToOpenaiResponseOptions } from './anthropic-to-openai-response.ts';
export { AnthropicToOpenaiStream } from './anthropic-to-openai-stream.ts';
export type { AnthropicToOpenaiStreamOptions } from './anthropic-to-openai-stream.ts';
export { anthropicToOpenaiRequest, DROPPED_ANTHROPIC_PARAMS } from './anthropic-to-openai-request.ts';
export type { AnthropicToOpenaiRequestOptions } from './anthropic-to-openai-request.ts';
export {
  openaiToAnthropicResponse,
  messageIdFromCompletionId,
  parseToolArguments,
  RAW_ARGUMENTS_KEY,
} from './openai-to-anthropic-response.ts';
export type { OpenaiToAnthropicResponseOptions } from './openai-to-anthropic-response.ts';
export { OpenaiToAnthropicStream } from './openai-to-anthropic-stream.ts';
export type { OpenaiToAnthropicStreamOptions } from './openai-to-anthropic-stream.ts';
export {
  usageToOpenai,
  usageFromOpenai,
  usageFromAnthropic,
  usageToAnthropic,
  mergeAnthropicDeltaUsage,
  tokenCount,
} from './usage-map.ts';
export { anthropicStopToOpenaiFinish, openaiFinishToAnthropicStop } from './stop-reasons.ts';
