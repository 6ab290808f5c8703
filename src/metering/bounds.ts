/**
 * Sanity bounds on what an upstream reports, and the conservative figures billed when it cannot be
 * believed (docs: README "What is billed when things go wrong").
 *
 * - Input (uncached + cache writes + cache reads) is at most the model's context window (or the
 *   request's byte bound when that is larger or the window unknown), times 1 + server-tool
 *   requests (each server-tool round re-reads the conversation).
 * - Output is at most `max_tokens` × choices.
 * - A counter that is out of bounds, negative, fractional or missing makes its side of the usage
 *   untrustworthy: input is then billed as the request's byte bound (uncached), output as
 *   `max_tokens` × choices. The event is flagged with every reason (`anomaly`), logged and alerted.
 */
import { totalInputTokens, type Usage } from './usage.ts';

export interface UsageLimits {
  /** Input billed when the upstream's count cannot be believed: the body's byte bound (≤ context window). */
  inputBound: number;
  /** The largest believable input of one sampling round. */
  maxInput: number;
  /** `max_tokens` × choices. */
  outputBound: number;
}

/** Server-side web searches one request can believably make (Anthropic's `max_uses` is far lower in practice). */
export const MAX_WEB_SEARCHES = 1000;

const INPUT_FIELDS = new Set([
  'input_tokens',
  'prompt_tokens',
  'prompt_cache_hit_tokens',
  'prompt_cache_miss_tokens',
  'cached_tokens',
  'cache_read_input_tokens',
  'cache_write_tokens',
  'cache_creation_input_tokens',
  'ephemeral_5m_input_tokens',
  'ephemeral_1h_input_tokens',
]);
const OUTPUT_FIELDS = new Set(['output_tokens', 'completion_tokens', 'total_tokens']);

const fieldOf = (note: string) => note.slice(note.indexOf(':') + 1);

export interface Bounded {
  usage: Usage;
  anomalies: string[];
}

/** Applies the bounds to reported usage; `notes` are the extractor's findings (invalid/missing fields). */
export function boundUsage(u: Usage, notes: readonly string[], lim: UsageLimits): Bounded {
  const anomalies = [...new Set(notes)];
  const out: Usage = { ...u };
  const missingAll = notes.includes('missing:usage');
  let inputBad = missingAll || notes.some((n) => INPUT_FIELDS.has(fieldOf(n)));
  let outputBad = missingAll || notes.some((n) => OUTPUT_FIELDS.has(fieldOf(n)));
  if (out.webSearchRequests > MAX_WEB_SEARCHES) {
    anomalies.push('web_search_out_of_bounds');
    out.webSearchRequests = MAX_WEB_SEARCHES;
  }
  const rounds = 1 + out.webSearchRequests;
  if (!inputBad && totalInputTokens(out) > Math.max(lim.maxInput, lim.inputBound) * rounds) {
    anomalies.push('input_out_of_bounds');
    inputBad = true;
  }
  if (!outputBad && out.outputTokens > lim.outputBound) {
    anomalies.push('output_out_of_bounds');
    outputBad = true;
  }
  if (inputBad) {
    out.inputTokens = lim.inputBound;
    out.cacheWrite5mTokens = 0;
    out.cacheWrite1hTokens = 0;
    out.cacheReadTokens = 0;
  }
  if (outputBad) out.outputTokens = lim.outputBound;
  return { usage: out, anomalies };
}

/**
 * Models that think without streaming their reasoning (OpenAI o-series, GPT-5 family): when a cut
 * stream never reported usage, their hidden reasoning can only be bounded by `max_tokens`.
 */
export function hasHiddenReasoning(modelId: string): boolean {
  return /^(o\d|gpt-5)/i.test(modelId);
}
