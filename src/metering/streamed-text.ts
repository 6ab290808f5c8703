/**
 * What a stream showed the client, for billing a stream the upstream cut before it reported usage:
 * the TEXT of the deltas (content, reasoning/thinking, tool-call arguments, refusals), never the
 * JSON or SSE framing around it. On the hot path it only keeps references to the delta events'
 * data (one array push each); the text is extracted and tokenized only when an estimate is needed.
 * Retention is bounded: past `maxChars` of event data the count is unknown (Infinity), and the
 * caller bills its upper bound instead.
 */
import type { SseEvent } from './sse-parser.ts';
import { obj, tryParse } from './json-util.ts';
import { countTextTokens } from './token-count.ts';
import { CLAUDE_TOKEN_MULTIPLIER, type ModelFamily } from './estimate.ts';
import type { Surface } from '../wire/surface.ts';

export class StreamedText {
  private data: string[] = [];
  private chars = 0;
  private overflow = false;

  constructor(
    private readonly wire: Surface,
    private readonly maxChars = 16 * 1024 * 1024,
  ) {}

  observe(ev: SseEvent): void {
    if (this.overflow) return;
    const d = ev.data;
    if (!DELTAS[this.wire].isDelta(ev)) return;
    this.chars += d.length;
    if (this.chars > this.maxChars) {
      this.overflow = true;
      this.data = [];
      return;
    }
    this.data.push(d);
  }

  /** True once any delta was seen (something was produced). */
  get any(): boolean {
    return this.overflow || this.data.length > 0;
  }

  /** The streamed text (for tests and diagnostics); undefined past the retention bound. */
  text(): string | undefined {
    if (this.overflow) return undefined;
    let s = '';
    const { extract } = DELTAS[this.wire];
    for (const d of this.data) s += extract(d);
    return s;
  }

  /** Tokens of the streamed text (o200k; × the Claude margin for Claude models); Infinity past the retention bound. */
  tokens(family: ModelFamily): number {
    const t = this.text();
    if (t === undefined) return Infinity;
    let n = 0;
    for (let i = 0; i < t.length; i += 65_536) n += countTextTokens(t.slice(i, i + 65_536));
    return family === 'claude' ? Math.ceil(n * CLAUDE_TOKEN_MULTIPLIER) : n;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Per wire format: which events carry produced text, and the text of one. */
const DELTAS: Record<Surface, { isDelta(ev: SseEvent): boolean; extract(data: string): string }> = {
  anthropic: {
    isDelta: (ev) => ev.event === 'content_block_delta' || ((ev.event === undefined || ev.event === 'message') && ev.data.includes('"content_block_delta"')),
    extract(data) {
      const d = obj(obj(tryParse(data))?.delta);
      return d ? str(d.text) + str(d.thinking) + str(d.partial_json) : '';
    },
  },
  openai: { isDelta: (ev) => ev.data.includes('"delta"'), extract: openaiText },
};

function openaiText(data: string): string {
  const o = obj(tryParse(data));
  if (!o) return '';
  let s = '';
  if (!Array.isArray(o.choices)) return s;
  for (const c of o.choices) {
    const d = obj(obj(c)?.delta);
    if (!d) continue;
    s += str(d.content) + str(d.reasoning_content) + str(d.reasoning) + str(d.refusal);
    if (Array.isArray(d.tool_calls)) for (const t of d.tool_calls) s += str(obj(obj(t)?.function)?.arguments);
  }
  return s;
}
