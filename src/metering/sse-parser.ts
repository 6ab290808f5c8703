/**
 * Incremental Server-Sent Events parser for the proxy hot path (it sees every byte of every
 * upstream stream).
 *
 * Follows the WHATWG EventSource parsing rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * - lines end in `\n`, `\r\n` or a lone `\r`; a `\r` that ends one chunk and a `\n` that starts the
 *   next are ONE line end;
 * - lines starting with `:` are comments (e.g. OpenRouter's `: OPENROUTER PROCESSING`);
 * - `field:value` with at most one space removed after the colon; a line without a colon is a
 *   field with an empty value; unknown fields (and `retry`) are ignored;
 * - several `data:` lines are joined with `\n`; a blank line dispatches the event; a block with no
 *   `data:` line dispatches nothing;
 * - `id` is the persistent "last event ID" (values containing NUL are ignored) and is reported on
 *   every event once set;
 * - bytes are decoded as UTF-8 with a streaming TextDecoder, so a multi-byte character split across
 *   chunks decodes correctly; a leading BOM is dropped.
 *
 * One deliberate deviation, for metering: at `end()` a final event that was not terminated by a
 * blank line IS dispatched (the upstream bills for it whatever its framing). Pass
 * `{ strictEnd: true }` to discard it as the spec says.
 *
 * Performance: each chunk is decoded once and scanned with native `indexOf`, with the next `\n` and
 * `\r` positions cached so a stream without `\r` is not rescanned per line. Only the unterminated
 * tail of a chunk is kept, and it is never searched again, so one huge line split across many
 * chunks costs O(total length), not O(n²).
 */

export interface SseEvent {
  /** The `event:` field, absent when the stream did not name the event (i.e. "message"). */
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last event ID set by an `id:` field, absent until one is set (or after `id:` with no value). */
  id?: string;
}

export interface SseParserOptions {
  /** Discard an event not terminated by a blank line when the stream ends (spec behaviour). Default false. */
  strictEnd?: boolean;
}

const STREAM_OPTS = { stream: true };
const LF = 10;
const COLON = 58;
const SPACE = 32;

export class SseParser {
  private decoder = new TextDecoder('utf-8');
  /** Unterminated tail of the previous chunk(s); never contains a line terminator. */
  private pending = '';
  /** The previous chunk ended in `\r`: a `\n` at the start of the next chunk belongs to it. */
  private skipLf = false;
  private data: string | undefined = undefined;
  private eventType = '';
  private lastId = '';
  private out: SseEvent[] = [];
  private readonly strictEnd: boolean;

  constructor(opts: SseParserOptions = {}) {
    this.strictEnd = opts.strictEnd === true;
  }

  /** Feeds one chunk; returns the events it completed (often none). */
  push(chunk: Buffer | Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, STREAM_OPTS);
    if (text.length > 0) this.scan(text);
    return this.take();
  }

  /** Signals end of stream; returns any final events. The parser is reset and can be reused. */
  end(): SseEvent[] {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.scan(rest);
    if (this.pending.length > 0) {
      const line = this.pending;
      this.pending = '';
      this.line(line);
    }
    if (!this.strictEnd) this.dispatch();
    const events = this.take();
    this.data = undefined;
    this.eventType = '';
    this.lastId = '';
    this.skipLf = false;
    return events;
  }

  private take(): SseEvent[] {
    if (this.out.length === 0) return [];
    const events = this.out;
    this.out = [];
    return events;
  }

  private scan(text: string): void {
    const len = text.length;
    let pos = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    let nextLf = text.indexOf('\n', pos);
    let nextCr = text.indexOf('\r', pos);
    while (nextLf !== -1 || nextCr !== -1) {
      let end: number;
      let next: number;
      if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
        end = nextLf;
        next = end + 1;
      } else {
        end = nextCr;
        next = end + 1;
        if (next < len) {
          if (text.charCodeAt(next) === LF) next++;
        } else {
          this.skipLf = true;
        }
      }
      let line = text.slice(pos, end);
      if (this.pending.length > 0) {
        line = this.pending + line;
        this.pending = '';
      }
      this.line(line);
      pos = next;
      if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    }
    if (pos < len) this.pending += pos === 0 ? text : text.slice(pos);
  }

  private line(line: string): void {
    const len = line.length;
    if (len === 0) {
      this.dispatch();
      return;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === COLON) return;
    let colon = line.indexOf(':');
    let value: string;
    if (colon === -1) {
      colon = len;
      value = '';
    } else {
      const start = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
      value = start >= len ? '' : line.slice(start);
    }
    // Compare the field name without allocating it.
    if (colon === 4 && c0 === 100 /* d */ && line.startsWith('data')) {
      this.data = this.data === undefined ? value : this.data + '\n' + value;
    } else if (colon === 5 && c0 === 101 /* e */ && line.startsWith('event')) {
      this.eventType = value;
    } else if (colon === 2 && c0 === 105 /* i */ && line.charCodeAt(1) === 100 /* d */) {
      if (value.indexOf('\0') === -1) this.lastId = value;
    }
    // `retry` and unknown fields are ignored.
  }

  private dispatch(): void {
    const data = this.data;
    const type = this.eventType;
    this.data = undefined;
    this.eventType = '';
    if (data === undefined) return;
    const ev: SseEvent = type.length > 0 ? { event: type, data } : { data };
    if (this.lastId.length > 0) ev.id = this.lastId;
    this.out.push(ev);
  }
}
