/**
 * Metering: exact usage from upstream JSON/SSE, normalised to Anthropic semantics (`Usage`), and
 * pre-request input-token estimates. Importing this module loads the o200k_base tokenizer once.
 */
export { emptyUsage, cacheWriteTokens, totalInputTokens, type Usage } from './usage.ts';
export { SseParser, type SseEvent, type SseParserOptions } from './sse-parser.ts';
export { usageFromAnthropic, AnthropicStreamMeter, type StreamError } from './anthropic-meter.ts';
export { usageFromOpenai, OpenaiStreamMeter } from './openai-meter.ts';
export {
  estimateInputTokens,
  inspectInput,
  maxInputTokensUpperBound,
  CLAUDE_TOKEN_MULTIPLIER,
  BODY_INDEPENDENT_TOKENS,
  MAX_TOKENS_PER_IMAGE,
  type EstimateInput,
  type InputInspection,
  type ModelFamily,
} from './estimate.ts';
export { countTextTokens } from './token-count.ts';
