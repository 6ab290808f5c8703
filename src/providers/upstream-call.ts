/**
 * One upstream request on the pooled connection through undici's `dispatch` (no per-response
 * stream object: measured ~20–35 µs less CPU per request than `pool.request` + `body.text()` on
 * this machine). The reply gives the status and headers as soon as they arrive, then the body
 * either whole (`text()`) or as an async iterable of chunks with backpressure (upstream reading
 * pauses while the consumer is behind).
 */
import type { Dispatcher, Pool } from 'undici';
import type { AbortLike } from '../core/cancel.ts';

const HIGH_WATER = 16;

/** A push consumer: `chunk` returns false to pause the upstream until `reply.resume()`. */
export interface ChunkSink {
  chunk(b: Buffer): boolean;
  end(err?: Error): void;
}

export interface UpstreamReply extends AsyncIterable<Buffer> {
  statusCode: number;
  headers: Record<string, string>;
  text(): Promise<string>;
  /** Streams the body into `sink` with no promise per chunk (the stream hot path). */
  pipe(sink: ChunkSink): void;
  resume(): void;
}

export function callUpstream(pool: Pool, req: Dispatcher.DispatchOptions, signal: AbortLike): Promise<UpstreamReply> {
  return new Promise<UpstreamReply>((resolveHead, rejectHead) => {
    const queue: Buffer[] = [];
    let done = false;
    let failure: Error | undefined;
    let headed = false;
    let wake: (() => void) | undefined;
    let resumeUpstream: (() => void) | undefined;
    let paused = false;
    let abortFn: ((e?: Error) => void) | undefined;
    let sink: ChunkSink | undefined;
    let ended = false;
    const endSink = (err?: Error) => {
      if (sink && !ended) {
        ended = true;
        sink.end(err);
      }
    };

    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const onAbort = () => abortFn?.(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' }));
    if (signal.aborted) {
      rejectHead(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    const reply: UpstreamReply = {
      statusCode: 0,
      headers: {},
      async text() {
        const parts: Buffer[] = [];
        for await (const c of reply) parts.push(c);
        return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
      },
      pipe(s: ChunkSink) {
        sink = s;
        reply.resume();
      },
      /** Delivers what is queued; then ends, or lets the upstream flow again. */
      resume() {
        if (!sink) return;
        while (queue.length)
          if (!sink.chunk(queue.shift()!)) {
            paused = true;
            return;
          }
        if (done || failure) {
          endSink(failure);
          return;
        }
        if (paused) {
          paused = false;
          resumeUpstream?.();
        }
      },
      [Symbol.asyncIterator]() {
        return {
          next: async (): Promise<IteratorResult<Buffer>> => {
            for (;;) {
              if (queue.length) {
                const value = queue.shift()!;
                if (paused && queue.length < HIGH_WATER / 2) {
                  paused = false;
                  resumeUpstream?.();
                }
                return { value, done: false };
              }
              if (failure) throw failure;
              if (done) return { value: undefined, done: true };
              await new Promise<void>((r) => {
                wake = r;
              });
            }
          },
          return: async () => {
            if (!done) onAbort();
            return { value: undefined, done: true };
          },
        };
      },
    };

    pool.dispatch(req, {
      onConnect(abort: (e?: Error) => void) {
        abortFn = abort;
        if (signal.aborted) onAbort();
      },
      onHeaders(statusCode: number, raw: Buffer[] | string[] | null, resume: () => void) {
        resumeUpstream = resume;
        reply.statusCode = statusCode;
        const h: Record<string, string> = {};
        if (raw) for (let i = 0; i + 1 < raw.length; i += 2) h[raw[i]!.toString().toLowerCase()] = raw[i + 1]!.toString();
        reply.headers = h;
        headed = true;
        resolveHead(reply);
        return true;
      },
      onData(chunk: Buffer) {
        if (sink && !queue.length) {
          if (sink.chunk(chunk)) return true;
          paused = true;
          return false;
        }
        queue.push(chunk);
        notify();
        if (queue.length >= HIGH_WATER) {
          paused = true;
          return false;
        }
        return true;
      },
      onComplete() {
        done = true;
        signal.removeEventListener('abort', onAbort);
        notify();
        if (!queue.length) endSink();
      },
      onError(err: Error) {
        signal.removeEventListener('abort', onAbort);
        if (!headed) {
          rejectHead(err);
          return;
        }
        failure = err;
        notify();
        if (!queue.length) endSink(err); // else resume() delivers what arrived, then ends with the error
      },
    } as unknown as Dispatcher.DispatchHandler);
  });
}
