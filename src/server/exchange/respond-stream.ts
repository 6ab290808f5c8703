/**
 * Streaming reply. Bytes flow to the client as they arrive (untouched in pass mode, translated
 * event by event otherwise) while a meter beside the pipe reads the usage. The final events
 * (`message_stop` / `[DONE]` and whatever shares their chunk) are held back until the usage event
 * is durable, so a client that saw the end of a stream was always billed for it.
 *
 * Client disconnects abort the upstream and bill what it produced; upstream cuts and error events
 * bill what was produced and end the client's stream with an error event. An upstream error event
 * reaches the client with its type and a generic message (`stream-errors.ts`), never the
 * upstream's own words; nothing after it is forwarded.
 */
import type { ServerResponse } from 'node:http';
import type { UpstreamReply } from './upstream-call.ts';
import { AnthropicStreamMeter } from '../../metering/anthropic-meter.ts';
import { OpenaiStreamMeter } from '../../metering/openai-meter.ts';
import { SseParser, type SseEvent } from '../../metering/sse-parser.ts';
import { emptyUsage, type Usage } from '../../metering/usage.ts';
import { anthropicErrorEvent } from '../../surfaces/anthropic/errors.ts';
import { openaiErrorChunk } from '../../surfaces/openai/errors.ts';
import { makeStreamTransform, type StreamTransform } from './stream-transform.ts';
import { settle, type Outcome } from './settle.ts';
import { EventAligner, scrubbedErrorEvent, serializeEvents, streamErrorOf } from './stream-errors.ts';
import type { Exchange } from './types.ts';

/**
 * Resolves when a blocked response drains, or closes it when the client has not read anything
 * for `ms` (a client that stopped reading must not hold the upstream and a spend hold forever;
 * the close aborts the upstream and bills what was produced).
 */
export function drained(res: ServerResponse, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => { clearTimeout(timer); res.off('drain', done); res.off('close', done); resolve(); };
    const timer = setTimeout(() => { res.destroy(); done(); }, ms);
    res.on('drain', done).on('close', done);
  });
}

/** Bytes of JSON framing around a text delta's text, subtracted when estimating cut streams. */
const DELTA_FRAMING = 70;

export async function respondStream(x: Exchange, up: UpstreamReply, baseHeaders: Record<string, string>, state: { clientGone: boolean }): Promise<void> {
  const { res } = x;
  // Headers go out with the first event (one write, as a plain proxy does).
  res.writeHead(200, { ...baseHeaders, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const now = () => x.rt.clock.now();
  const parser = new SseParser();
  const meter = x.adapter.wire === 'anthropic' ? new AnthropicStreamMeter(now) : new OpenaiStreamMeter(now);
  const transform: StreamTransform | null = makeStreamTransform(x);
  let contentBytes = 0;
  const tail: Array<string | Buffer> = [];
  let upstreamFailed = false;
  let wrote = false;

  const aligner = transform ? null : new EventAligner();
  let errored = false;

  /** Replaces upstream error events (their message) before anything reads or forwards them. */
  const scrub = (events: SseEvent[]): boolean => {
    let found = false;
    for (let i = 0; i < events.length; i++) {
      const err = streamErrorOf(events[i]!, x.adapter.wire);
      if (!err) continue;
      found = true;
      x.rt.log.warn({ requestId: x.requestId, upstream: x.adapter.name, upstreamErrorType: err.type, upstreamMessage: err.message.slice(0, 500) }, 'the upstream sent an error event mid-stream');
      events[i] = scrubbedErrorEvent(events[i]!, err, x.adapter.wire);
      events.length = i + 1; // an error ends the stream: nothing after it is forwarded
      break;
    }
    return found;
  };

  const handle = (events: SseEvent[], segment: string | null) => {
    if (errored) return undefined;
    const hadError = scrub(events);
    for (const ev of events) {
      meter.observe(ev);
      if (ev.event === 'content_block_delta' || (ev.event === undefined && ev.data.includes('"delta"'))) contentBytes += Math.max(0, ev.data.length - DELTA_FRAMING);
    }
    let out: string | null = segment;
    if (transform) { let t = ''; for (const ev of events) t += transform.push(ev); out = t; }
    else if (hadError) out = serializeEvents(events);
    if (hadError) errored = true;
    if (out === null || out.length === 0) return undefined;
    if (meter.complete) { tail.push(out); return undefined; }
    if (!wrote) { wrote = true; x.rt.telemetry?.firstByte(res); }
    return res.write(out) ? undefined : drained(res, x.rt.config.http.writeTimeoutMs);
  };

  await new Promise<void>((resolve) => {
    up.pipe({
      chunk(b) {
        let wait;
        if (aligner) { const seg = aligner.push(b); wait = seg ? handle(parser.push(seg), seg) : undefined; }
        else wait = handle(parser.push(b), null);
        if (!wait) return true;
        void wait.then(() => up.resume());
        return false;
      },
      end(err) {
        if (err) upstreamFailed = !state.clientGone;
        else if (aligner) { const seg = aligner.end(); handle([...parser.push(seg), ...parser.end()], seg); }
        else handle(parser.end(), null);
        resolve();
      },
    });
  });

  const outcome: Outcome = state.clientGone ? 'client_aborted' : meter.error ? 'upstream_error' : upstreamFailed || !meter.complete ? 'incomplete' : 'ok';
  const seen = meter.usage();
  const usage: Usage = seen ? { ...seen } : { ...emptyUsage(), inputTokens: contentBytes > 0 ? x.estimatedInputTokens : 0 };
  let estimated = false;
  if (outcome !== 'ok' && !(x.adapter.wire === 'anthropic' && (meter as AnthropicStreamMeter).stopReason)) {
    const est = Math.ceil(contentBytes / 4);
    if (est > usage.outputTokens) { usage.outputTokens = est; estimated = true; }
    if (!seen) estimated = true;
  }
  const billable = seen !== undefined || contentBytes > 0;
  if (billable) await settle(x, { usage, status: 200, outcome, estimated, firstContentAt: meter.firstContentAt });

  if (res.destroyed) return;
  res.cork(); // the error event / held-back tail and the end go out in one write
  if (outcome === 'incomplete' || outcome === 'upstream_error') {
    // An upstream error event already reached the client (forwarded or translated); a cut stream
    // gets one error event from us.
    if (!meter.error) {
      const message = 'The upstream stream ended unexpectedly';
      res.write(x.surface === 'anthropic' ? anthropicErrorEvent('api_error', message) : openaiErrorChunk('api_error', message));
    }
  }
  else if (transform) tail.push(transform.end());
  for (const t of tail) res.write(t);
  res.end();
}
