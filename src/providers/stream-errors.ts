/**
 * Mid-stream upstream errors. After HTTP 200 an upstream can still fail with an SSE error event
 * (Anthropic: `event: error`, https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events;
 * OpenAI-compatible servers: a `data:` chunk with an `error` object). Its message may carry the
 * operator's upstream account (org ids, key hints, balances, internal hosts), so it never reaches
 * the client as is: the event is re-rendered in the client's envelope with the upstream's error
 * type kept and a generic message, and the original goes to the operator's log — as for the
 * non-2xx replies in `upstream-error.ts`.
 *
 * To replace an event, pass-through streams are forwarded a whole event at a time
 * (`EventAligner`): the bytes of an event that is still arriving are held until its blank line
 * (up to 64 KiB), so an error event split across chunks is never half-forwarded.
 */
import type { SseEvent } from '../metering/sse-parser.ts';
import { profileOf, type Surface } from '../wire/surface.ts';
import { wireFormat } from './wire-format.ts';

const SAFE_WORD = /^[a-z][a-z0-9_]{0,63}$/;

const MESSAGES: Record<string, string> = {
  overloaded_error: 'Overloaded: the upstream is busy; retry shortly',
  rate_limit_error: 'The upstream provider is rate limiting this gateway; retry shortly',
  timeout_error: 'The upstream timed out during the stream',
};

/** The client-facing message for an upstream stream error of `type`. */
export function genericStreamErrorMessage(type: string): string {
  return MESSAGES[type] ?? 'The upstream reported an error during the stream';
}

interface Parsed {
  type: string;
  code: string | null;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The error an event carries, or undefined for an ordinary event. */
export function streamErrorOf(ev: SseEvent, wire: Surface): Parsed | undefined {
  const named = ev.event === 'error';
  if (!named && (wireFormat(wire).namedErrorEventsOnly || !ev.data.includes('"error"'))) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(ev.data);
  } catch {
    return named ? { type: 'api_error', code: null, message: ev.data } : undefined;
  }
  const e = isRecord(obj) ? obj.error : undefined;
  if (!named && (e === undefined || e === null)) return undefined;
  const f = isRecord(e) ? e : {};
  const type = typeof f.type === 'string' && SAFE_WORD.test(f.type) ? f.type : 'api_error';
  const code = typeof f.code === 'string' && SAFE_WORD.test(f.code) ? f.code : typeof f.code === 'number' ? String(f.code) : null;
  const message = typeof f.message === 'string' ? f.message : typeof e === 'string' ? e : '';
  return { type, code, message };
}

/** The event with the upstream's message replaced (same wire format as the upstream's). */
export function scrubbedErrorEvent(ev: SseEvent, err: Parsed, wire: Surface): SseEvent {
  return { ...ev, data: profileOf(wire).streamErrorData(err.type, genericStreamErrorMessage(err.type), err.code) };
}

/** Renders events back to SSE text (used only for the segment that carries an error). */
export function serializeEvents(events: SseEvent[]): string {
  let s = '';
  for (const ev of events) {
    if (ev.event !== undefined) s += `event: ${ev.event}\n`;
    for (const line of ev.data.split('\n')) s += `data: ${line}\n`;
    s += '\n';
  }
  return s;
}

/** Index just past the last blank line (the end of the last complete event) in `s`, or 0. */
function lastEventEnd(s: string): number {
  let best = 0;
  const consider = (sep: string) => {
    const i = s.lastIndexOf(sep);
    if (i >= 0 && i + sep.length > best) best = i + sep.length;
  };
  consider('\n\n');
  consider('\r\n\r\n');
  consider('\n\r\n');
  consider('\r\r');
  return best;
}

/** Events longer than this are forwarded as they arrive (nothing this large is an error event). */
const MAX_HOLD_CHARS = 64 * 1024;

/**
 * Cuts a byte stream into text segments that end on event boundaries. Only the new text is searched
 * (plus the last few characters before it, for a blank line split across chunks), and held text is
 * joined once, so a huge event costs O(its length). An event longer than `MAX_HOLD_CHARS` is
 * released as it arrives, so a client that stops reading still meets the write timeout.
 */
export class EventAligner {
  private decoder = new TextDecoder('utf-8');
  private parts: string[] = [];
  private held = 0;
  /** The last characters received (a blank line may straddle two chunks). */
  private tail = '';

  /** Feeds a chunk; returns the text of the events it completed ('' while an event is still arriving). */
  push(chunk: Buffer): string {
    const text = this.decoder.decode(chunk, { stream: true });
    if (!text) return '';
    const probe = this.tail + text;
    this.tail = probe.slice(-3);
    const cut = lastEventEnd(probe) - (probe.length - text.length);
    if (cut > 0) {
      const out = this.held ? this.parts.join('') + text.slice(0, cut) : cut === text.length ? text : text.slice(0, cut);
      const rest = text.slice(cut);
      this.parts = rest ? [rest] : [];
      this.held = rest.length;
      return out;
    }
    this.parts.push(text);
    this.held += text.length;
    if (this.held <= MAX_HOLD_CHARS) return '';
    const out = this.parts.join('');
    this.parts = [];
    this.held = 0;
    return out;
  }

  /** The rest at the end of the stream. */
  end(): string {
    const rest = this.parts.join('') + this.decoder.decode();
    this.parts = [];
    this.held = 0;
    return rest;
  }
}
