/**
 * A streamed reply up to its first complete SSE event. respond-stream writes the response head
 * together with the first event, so until that event is in, nothing has reached the client and the
 * request may still move to another upstream of its pool: a stream that is cut (reset, closed,
 * timed out) or ends before its first event, or whose first event is an error event (an upstream
 * that answered 200 and then reported itself overloaded), is a failed attempt like a 5xx. Once the
 * first event is in, the reply is handed on with the bytes read so far replayed ahead of the rest.
 */
import type { ChunkSink, UpstreamReply } from '../providers/upstream-call.ts';
import type { Surface } from '../wire/surface.ts';
import { SseParser } from '../metering/sse-parser.ts';
import { streamErrorOf } from '../providers/stream-errors.ts';

export type FirstEvent =
  | { ok: true; up: UpstreamReply }
  | { ok: false; why: 'cut' | 'ended'; errorType?: undefined }
  | { ok: false; why: 'error_event'; errorType: string };

/** End offset of the first event (after its blank line: `\n\n`, `\r\n\r\n` or `\r\r`), or -1. */
function firstEventEnd(b: Buffer): number {
  let end = -1;
  for (const sep of ['\n\n', '\r\n\r\n', '\r\r']) {
    const i = b.indexOf(sep);
    if (i >= 0 && (end < 0 || i + sep.length < end)) end = i + sep.length;
  }
  return end;
}

/** The upstream error the first event reports, if it is one (the bytes are parsed only when they mention an error). */
function errorTypeOf(first: Buffer, wire: Surface): string | undefined {
  if (!first.includes('error')) return undefined;
  for (const ev of new SseParser().push(first)) {
    const err = streamErrorOf(ev, wire);
    if (err) return err.type;
  }
  return undefined;
}

/**
 * Reads `up` until its first complete event. `onChunk` runs for each chunk (the idle timer's
 * refresh). Never throws: a failed read is `{ ok: false, why: 'cut' }`.
 */
export async function awaitFirstEvent(up: UpstreamReply, wire: Surface, onChunk: () => void): Promise<FirstEvent> {
  // Not `for await`: leaving that loop would call the iterator's return(), which aborts the upstream.
  const it = up[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let seen: Buffer | undefined;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) return { ok: false, why: 'ended' };
      onChunk();
      if (r.value.length === 0) continue;
      head.push(r.value);
      seen = head.length === 1 ? r.value : Buffer.concat(head);
      const end = firstEventEnd(seen);
      if (end < 0) continue;
      const errorType = errorTypeOf(seen.subarray(0, end), wire);
      if (errorType !== undefined) return { ok: false, why: 'error_event', errorType };
      return { ok: true, up: replaying(up, head) };
    }
  } catch {
    return { ok: false, why: 'cut' };
  }
}

/** `up` with the chunks already read delivered first (with backpressure), then the rest of its body. */
function replaying(up: UpstreamReply, head: Buffer[]): UpstreamReply {
  let sink: ChunkSink | undefined;
  let piped = false;
  const r: UpstreamReply = {
    statusCode: up.statusCode,
    headers: up.headers,
    async text() {
      const parts: Buffer[] = [];
      for await (const c of r) parts.push(c);
      return Buffer.concat(parts).toString('utf8');
    },
    pipe(s: ChunkSink) {
      sink = s;
      r.resume();
    },
    resume() {
      if (!sink) return;
      while (head.length) if (!sink.chunk(head.shift()!)) return;
      if (!piped) {
        piped = true;
        up.pipe(sink);
      } else up.resume();
    },
    async *[Symbol.asyncIterator]() {
      while (head.length) yield head.shift()!;
      yield* up;
    },
  };
  return r;
}
