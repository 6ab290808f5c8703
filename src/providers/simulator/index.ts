/**
 * Public API of the built-in simulated upstream: the HTTP server (`startSimulator`), the pure
 * generators (`simulateAnthropic`, `simulateOpenai`, `simulateCountTokens`), the transport-free
 * router (`routeSimulated`) and the framing/error helpers the test fake upstream reuses.
 */
export { startSimulator, readBody, writeSimResponse, pathOf, MAX_BODY_BYTES } from './server.ts';
export type { SimulatorOptions, SimulatorHandle } from './server.ts';
export { simulateAnthropic, simulateCountTokens, anthropicEvents, validateAnthropic, mergeUsage, lastUserText } from './anthropic.ts';
export type { AnthropicSimulation } from './anthropic.ts';
export { simulateOpenai, validateOpenai, openaiUsage } from './openai.ts';
export type { OpenaiSimulation } from './openai.ts';
export { routeSimulated, errorResponse, surfaceOf, DEFAULT_SIM_MODELS } from './router.ts';
export type { RouteOptions, RouteRequest } from './router.ts';
export { SimState, createSimState } from './state.ts';
export type { SimStateOptions } from './state.ts';
export { anthropicSegments, applyCache, countInputTokens, TTL_MS } from './cache.ts';
export type { Segment, CacheOutcome, Ttl } from './cache.ts';
export { anthropicFrame, openaiFrame, errorFrame, OPENAI_DONE, SSE_HEADERS } from './sse.ts';
export { SimulatorError, newRequestId, errorBodyFor, anthropicErrorType, openaiErrorType, requestIdHeaders } from './errors.ts';
export { replyText, applyLimits, estimateTokens, charCount, splitDeltas, DEFAULT_TEXT_CHARS } from './text.ts';
export type * from './types.ts';
