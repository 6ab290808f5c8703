/**
 * Pre-request input-token estimation (for the rate limiter) and a byte-length upper bound (for the
 * spend reservation). Real upstream usage always replaces these numbers after the response.
 *
 * Tokenizer: o200k_base via gpt-tokenizer (token-count.ts). Claude has no public tokenizer
 * (https://platform.openai.com/docs/api-reference/chat §4.2), so Claude estimates are o200k counts ×
 * CLAUDE_TOKEN_MULTIPLIER. Both body formats (Anthropic Messages and OpenAI Chat) are understood
 * whatever the family; `family` only picks margins and framing constants.
 *
 * Cost control: text is tokenized exactly up to EXACT_CHAR_BUDGET characters per request; larger
 * requests are sampled (SAMPLE_WINDOWS × SAMPLE_WINDOW characters, scaled to the full length), so
 * the cost is bounded whatever the size. Measured (bench/micro/estimate.ts, CPU time, Node 20): ~0.27–0.33
 * ms for a 2 KB prompt, ~0.7 ms for 100 KB (sampling error ~2 %), ~0.5 ms for 1 MB; exact
 * tokenization of 100 KB would cost ~8–12 ms. Base64 media is never tokenized.
 */
import { countTextTokens } from './token-count.ts';

export type ModelFamily = 'claude' | 'openai';

/** Either a request body (Anthropic `{system?, messages, tools?}` / OpenAI `{messages, tools?}`) or a bare messages array. */
export type EstimateInput =
  | { system?: unknown; messages?: unknown; tools?: unknown; functions?: unknown; tool_choice?: unknown; response_format?: unknown }
  | readonly unknown[];

/**
 * Claude margin over o200k counts. Claude 4.7+ (and Mythos, Fable 5, Haiku 5.5) use a tokenizer
 * that yields ~30% more tokens than earlier Claude models for the same text (anthropic-api.md §7.2);
 * earlier Claude tokenizers are close to o200k for English. 1.35 = that ~30% plus a small buffer, so
 * the estimate is rarely low on current models and ~30% high on older ones — the safe side for a
 * rate limiter (a third-party report found o200k × 1.15 still under-counts older Claude at times).
 */
export const CLAUDE_TOKEN_MULTIPLIER = 1.35;
/** Per-message framing (OpenAI cookbook: `<|im_start|>role…<|im_end|>` ≈ 3 tokens, +1 for `name`). */
export const TOKENS_PER_MESSAGE = 3;
/** Reply priming added once per request (`<|im_start|>assistant<|message|>`). */
export const TOKENS_PER_REQUEST = 3;
/**
 * Claude's hidden tool-use system prompt, added once when `tools` is non-empty (§7.8: 496/588 for
 * 4.5/4.6-class models with auto/none vs any/tool; Opus 4.7 is higher at 675/804). Already in
 * Claude tokens, so not multiplied.
 */
export const CLAUDE_TOOLS_PROMPT_TOKENS = { auto: 500, forced: 600 } as const;
/**
 * One image. Claude: tokens ≈ width×height/750 and images are downscaled to ~1.15 MP, so ≤ ~1,600
 * (Anthropic vision docs; not in the shared reference). OpenAI tile models, detail high/auto: ≤ 85 + 170 × 6 tiles = 1,105;
 * detail low: 85. The estimate cannot see pixel sizes, so it assumes the large case.
 */
export const IMAGE_TOKENS = { claude: 1600, openai: 1105, openaiLow: 85 } as const;
/** PDFs: Anthropic bills ~1,500–3,000 tokens per page (text + page image); pages ≈ 50 KB each here. */
export const DOCUMENT_TOKENS_PER_PAGE = 2250;
export const DOCUMENT_BYTES_PER_PAGE = 50_000;
/** Audio input (OpenAI): ~10 tokens/s, ~16 KB/s for compressed audio → 1 token per 1.6 KB. */
export const AUDIO_BYTES_PER_TOKEN = 1600;
/** Up to this many characters of text per request are tokenized exactly. */
export const EXACT_CHAR_BUDGET = 8192;
/** Beyond it, this many evenly spaced windows of SAMPLE_WINDOW characters are tokenized and scaled. */
export const SAMPLE_WINDOWS = 12;
export const SAMPLE_WINDOW = 512;
/** Tokens per character for opaque data that is never tokenized (encrypted redacted thinking). */
const OPAQUE_TOKENS_PER_CHAR = 0.5;

/**
 * Accumulates one request's text (by reference: nothing is concatenated) and fixed-cost items.
 * Text tokens: exact when the request has ≤ EXACT_CHAR_BUDGET characters of text, otherwise the
 * tokens/char ratio of SAMPLE_WINDOWS windows spread evenly over all text times its length. Sampling
 * error is a few % on homogeneous text and larger on deliberately mixed text; that only affects rate
 * limiting (billing uses upstream usage, the spend reservation uses maxInputTokensUpperBound).
 */
class Tally {
  private parts: string[] = [];
  private chars = 0;
  opaqueChars = 0;
  /** Framing tokens (subject to the Claude multiplier). */
  framing = 0;
  /** Media and hidden-prompt tokens (already final). */
  fixed = 0;
  images = 0;
  documents = 0;

  constructor(readonly family: ModelFamily) {}

  text(v: unknown): void {
    if (typeof v !== 'string' || v.length === 0) return;
    this.parts.push(v);
    this.chars += v.length;
  }

  json(v: unknown): void {
    if (v === undefined || v === null) return;
    this.text(typeof v === 'string' ? v : JSON.stringify(v));
  }

  private textTokens(): number {
    const parts = this.parts;
    if (this.chars <= EXACT_CHAR_BUDGET) {
      let n = 0;
      for (const p of parts) n += countTextTokens(p);
      return n;
    }
    const step = this.chars / SAMPLE_WINDOWS;
    let idx = 0;
    let partStart = 0;
    let sampledChars = 0;
    let sampledTokens = 0;
    for (let k = 0; k < SAMPLE_WINDOWS; k++) {
      const pos = Math.max(0, Math.floor(k * step + step / 2 - SAMPLE_WINDOW / 2));
      while (partStart + parts[idx]!.length <= pos) partStart += parts[idx++]!.length;
      const p = parts[idx]!;
      const end = Math.min(p.length, pos - partStart + SAMPLE_WINDOW);
      const start = Math.max(0, end - SAMPLE_WINDOW);
      sampledChars += end - start;
      sampledTokens += countTextTokens(p.slice(start, end));
    }
    return (sampledTokens / sampledChars) * this.chars;
  }

  total(): number {
    let t = this.textTokens() + this.opaqueChars * OPAQUE_TOKENS_PER_CHAR + this.framing;
    if (this.family === 'claude') t *= CLAUDE_TOKEN_MULTIPLIER;
    return Math.ceil(t + this.fixed);
  }
}

type J = Record<string, unknown>;
const asObj = (v: unknown): J | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : undefined);

function base64Bytes(data: unknown): number {
  return typeof data === 'string' ? Math.floor((data.length * 3) / 4) : 0;
}

function documentTokens(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / DOCUMENT_BYTES_PER_PAGE)) * DOCUMENT_TOKENS_PER_PAGE;
}

function content(t: Tally, c: unknown): void {
  if (typeof c === 'string') t.text(c);
  else if (Array.isArray(c)) for (const p of c) part(t, p);
  else if (c !== undefined && c !== null) part(t, c);
}

/** One content block / part, Anthropic or OpenAI shaped. */
function part(t: Tally, p: unknown): void {
  if (typeof p === 'string') {
    t.text(p);
    return;
  }
  const b = asObj(p);
  if (!b) return;
  switch (b.type) {
    case 'text':
    case 'input_text':
      t.text(b.text);
      return;
    case 'image':
      t.images++;
      t.fixed += IMAGE_TOKENS.claude;
      return;
    case 'image_url':
    case 'input_image': {
      const detail = asObj(b.image_url)?.detail ?? b.detail;
      t.images++;
      t.fixed += detail === 'low' ? IMAGE_TOKENS.openaiLow : t.family === 'claude' ? IMAGE_TOKENS.claude : IMAGE_TOKENS.openai;
      return;
    }
    case 'document': {
      const src = asObj(b.source);
      t.text(b.title);
      t.text(b.context);
      if (src?.type === 'text') {
        t.text(src.data);
        return;
      }
      if (src?.type === 'content') {
        content(t, src.content);
        return;
      }
      t.documents++;
      t.fixed += documentTokens(base64Bytes(src?.data));
      return;
    }
    case 'file':
      t.documents++;
      t.fixed += documentTokens(base64Bytes(asObj(b.file)?.file_data));
      return;
    case 'input_audio':
      t.fixed += Math.ceil(base64Bytes(asObj(b.input_audio)?.data) / AUDIO_BYTES_PER_TOKEN);
      return;
    case 'tool_use':
    case 'server_tool_use':
      t.text(b.name);
      t.json(b.input);
      return;
    case 'tool_result':
      content(t, b.content);
      return;
    case 'thinking':
      t.text(b.thinking);
      return;
    case 'redacted_thinking':
      t.opaqueChars += typeof b.data === 'string' ? b.data.length : 0; // encrypted: never tokenized
      return;
    default:
      t.json(b); // unknown/future blocks: their JSON, a conservative stand-in
      return;
  }
}

function message(t: Tally, m: unknown): void {
  const o = asObj(m);
  if (!o) return;
  t.framing += TOKENS_PER_MESSAGE;
  t.text(o.role);
  if (typeof o.name === 'string') {
    t.framing += 1;
    t.text(o.name);
  }
  content(t, o.content);
  t.text(o.refusal);
  t.text(o.reasoning_content);
  if (Array.isArray(o.tool_calls)) {
    for (const tc of o.tool_calls) {
      const fn = asObj(asObj(tc)?.function);
      t.text(fn?.name);
      t.text(fn?.arguments);
    }
  }
  const fc = asObj(o.function_call);
  if (fc) {
    t.text(fc.name);
    t.text(fc.arguments);
  }
}

export interface InputInspection {
  /** Same as estimateInputTokens(). */
  tokens: number;
  /** Image parts/blocks (base64, URL or file reference). */
  images: number;
  /** PDF/file parts/blocks not given as plain text (page count unknown). */
  documents: number;
}

/**
 * Estimated input tokens for one request (text tokenized with o200k_base, framing per message,
 * fixed costs for media; Claude × CLAUDE_TOKEN_MULTIPLIER plus its hidden tool prompt).
 * Never throws on malformed bodies; never negative.
 */
export function estimateInputTokens(body: EstimateInput, family: ModelFamily): number {
  return inspectInput(body, family).tokens;
}

/** estimateInputTokens() plus the media counts the spend reservation needs for its upper bound. */
export function inspectInput(body: EstimateInput, family: ModelFamily): InputInspection {
  const t = new Tally(family);
  const b = Array.isArray(body) ? { messages: body } : (asObj(body) ?? {});
  if (b.system !== undefined) content(t, b.system);
  if (Array.isArray(b.messages)) for (const m of b.messages) message(t, m);
  const tools = Array.isArray(b.tools) ? b.tools : [];
  for (const tool of tools) t.json(asObj(tool)?.function ?? tool);
  if (Array.isArray(b.functions)) for (const fn of b.functions) t.json(fn);
  const rf = asObj(b.response_format);
  if (rf?.type === 'json_schema') t.json(rf.json_schema);
  t.framing += TOKENS_PER_REQUEST;
  if (family === 'claude' && tools.length > 0) {
    const choice = asObj(b.tool_choice)?.type;
    t.fixed += choice === 'any' || choice === 'tool' ? CLAUDE_TOOLS_PROMPT_TOKENS.forced : CLAUDE_TOOLS_PROMPT_TOKENS.auto;
  }
  return { tokens: t.total(), images: t.images, documents: t.documents };
}

/**
 * Tokens the upstream may add that are not present as bytes in the body: Claude's hidden tool
 * prompts (≤ 804, anthropic-api.md §7.8) plus tool-specific extras (bash +325, text editor +700,
 * computer use), per-message framing beyond its JSON skeleton, reply priming. Generous on purpose.
 */
export const BODY_INDEPENDENT_TOKENS = 4096;

/** Per-image allowance in the upper bound (covers high-resolution images on newer models). */
export const MAX_TOKENS_PER_IMAGE = 5000;

/**
 * Upper bound on the input tokens of a request whose (decoded, uncompressed) JSON body is
 * `bodyBytes` long, with `imageBlocks` images in it (from inspectInput). Used by the spend
 * reservation; the rate limiter uses the estimate.
 *
 * Why it holds for text: every tokenizer in use is a byte-level BPE (or has byte fallback), so every
 * token covers at least one UTF-8 byte of the text it encodes; the JSON body contains each string's
 * UTF-8 bytes at least once (escapes such as `\n`, `\"`, `\u00e9` only make it longer), and keys,
 * quotes and punctuation are extra bytes that carry no tokens. Per-message framing tokens (≤ ~5)
 * are covered by each message's own JSON skeleton (`{"role":"user","content":""}` is 28 bytes).
 * What remains body-independent is added once as BODY_INDEPENDENT_TOKENS.
 *
 * Images: a real base64 image is billed far below its byte count (≤ ~1,600 tokens for a ~1 MP image
 * that is hundreds of KB of base64), but not provably so: a URL/file_id reference or an
 * adversarially compressed image (a tiny GIF declaring a huge canvas) costs thousands of tokens in
 * < 100 bytes, hence MAX_TOKENS_PER_IMAGE per image on top of the bytes.
 *
 * NOT covered (needs a policy cap or a rejection in the reservation): documents (PDFs are billed per
 * page, and a page can be a few bytes; see inspectInput().documents) and content the upstream
 * fetches itself (server tools: web search/fetch results became 8,000 extra input tokens in
 * anthropic-api.md §3.2; MCP servers; Files API references).
 */
export function maxInputTokensUpperBound(bodyBytes: number, imageBlocks = 0): number {
  const bytes = Number.isFinite(bodyBytes) && bodyBytes > 0 ? Math.ceil(bodyBytes) : 0;
  const images = Number.isFinite(imageBlocks) && imageBlocks > 0 ? Math.ceil(imageBlocks) : 0;
  return bytes + BODY_INDEPENDENT_TOKENS + images * MAX_TOKENS_PER_IMAGE;
}
