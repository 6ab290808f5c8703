/**
 * Deterministic text and token arithmetic of the simulator.
 *
 * Tokens are estimated as ceil(code points / 4). The reply is "Simulated reply to: <first 40
 * chars of the last user message>…" padded with filler words picked by a hash of that message,
 * so the same request always gets the same reply. Limits (stop sequences, max tokens) are
 * applied on code-point boundaries, so the text never splits a surrogate pair.
 */

/** Number of Unicode code points in `s` (what the simulator calls "chars"). */
export const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** ceil(chars / 4): the simulator's token estimate (0 for empty text). */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

/** First `n` code points of `s`. */
export function takeChars(s: string, n: number): string {
  if (n <= 0) return '';
  let out = '';
  let i = 0;
  for (const ch of s) {
    if (i++ >= n) break;
    out += ch;
  }
  return out;
}

/** 32-bit FNV-1a of a string (deterministic seed for filler words). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const FILLER = (
  'the gateway meters every token and bills it fairly while the simulated upstream answers ' +
  'quickly with stable deterministic text so tests and demos behave the same on every run'
).split(' ');

/** Default reply length in code points (before max_tokens / stop sequences). */
export const DEFAULT_TEXT_CHARS = 160;

/**
 * The deterministic reply for a prompt whose last user message is `lastUser`: a fixed head,
 * then filler words read cyclically from an offset chosen by a hash of the message, stopping
 * at the last whole word that fits in `textChars` (the head alone is cut if it is longer).
 */
export function replyText(lastUser: string, textChars = DEFAULT_TEXT_CHARS): string {
  const collapsed = lastUser.replace(/\s+/g, ' ').trim();
  const head = takeChars(collapsed, 40) + (charCount(collapsed) > 40 ? '…' : '');
  let out = `Simulated reply to: ${head}`;
  if (charCount(out) >= textChars) return takeChars(out, textChars).trimEnd();
  let i = fnv1a(collapsed) % FILLER.length;
  let sep = ' — ';
  for (;;) {
    const next = sep + FILLER[i++ % FILLER.length];
    if (charCount(out) + charCount(next) > textChars) break;
    out += next;
    sep = ' ';
  }
  return out;
}

/** Why generation stopped, in neutral terms (mapped to each wire format by the callers). */
export type LimitReason = 'end' | 'max_tokens' | 'stop_sequence';

export interface LimitedText {
  text: string;
  reason: LimitReason;
  stopSequence: string | null;
}

/**
 * Applies stop sequences (earliest match wins; the sequence itself is not returned) and then
 * the max-token budget (max_tokens * 4 code points).
 */
export function applyLimits(text: string, maxTokens: number | undefined, stops: readonly string[] = []): LimitedText {
  let out = text;
  let reason: LimitReason = 'end';
  let stopSequence: string | null = null;
  let best = -1;
  for (const s of stops) {
    if (!s) continue;
    const i = out.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) {
      best = i;
      stopSequence = s;
    }
  }
  if (best >= 0) {
    out = out.slice(0, best);
    reason = 'stop_sequence';
  }
  if (maxTokens !== undefined && charCount(out) > maxTokens * 4) {
    out = takeChars(out, maxTokens * 4);
    reason = 'max_tokens';
    stopSequence = null;
  }
  return { text: out, reason, stopSequence };
}

/** Output tokens for a reply: ceil(chars/4), at least 1 (as Anthropic reports for empty replies). */
export const outputTokens = (text: string): number => Math.max(1, estimateTokens(charCount(text)));

/**
 * Splits text into several streaming deltas on word boundaries (about `target` code points each),
 * never inside a surrogate pair. Concatenating the pieces gives back `text` exactly.
 */
export function splitDeltas(text: string, target = 24): string[] {
  if (!text) return [];
  const words = text.match(/\S+\s*|\s+/gu) ?? [text];
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && charCount(cur) + charCount(w) > target) {
      out.push(cur);
      cur = '';
    }
    cur += w;
  }
  if (cur) out.push(cur);
  return out;
}

/** Text of a message `content` (string, or the text blocks of a block array). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : ''))
    .filter(Boolean)
    .join('\n');
}
