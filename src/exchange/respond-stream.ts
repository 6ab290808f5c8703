/**
 * Streaming reply. Bytes flow to the client as they arrive (untouched in pass mode, translated
 * event by event otherwise) while a meter beside the pipe reads the usage. The final events
 * (`message_stop` / `[DONE]` and whatever shares their chunk) are held back until the usage event
 * is durable, so a client that saw the end of a stream was always billed for it.
 *
 * Client disconnects abort the upstream and bill what it produced; upstream cuts and error events
 * bill what was produced and end the client's stream with an error event. An upstream error event
 * reaches the client with its type and a generic message (`providers/stream-errors.ts`), never the
 * upstream's own words; nothing after it is forwarded.
 */
import type { ServerResponse } from 'node:http';
import type { UpstreamReply } from '../providers/upstream-call.ts';
import { SseParser, type SseEvent } from '../metering/sse-parser.ts';
import { emptyUsage, type Usage } from '../metering/usage.ts';
import { boundUsage, hasHiddenReasoning } from '../metering/bounds.ts';
import { StreamedText } from '../metering/streamed-text.ts';
import type { ClientWatch } from './client-watch.ts';
import { profileOf } from '../wire/surface.ts';
import { makeStreamTransform, type StreamTransform } from './stream-transform.ts';
import { settle, type Outcome } from './settle.ts';
import { EventAligner, scrubbedErrorEvent, serializeEvents, streamErrorOf } from '../providers/stream-errors.ts';
import { wireFormat } from '../providers/wire-format.ts';
import type { StreamMeter } from '../metering/stream-meter.ts';
import type { Exchange } from './types.ts';

/**
 * Resolves when a blocked response drains, or closes it when the client has not read anything
 * for `ms` (a client that stopped reading must not hold the upstream and a spend hold forever;
 * the close aborts the upstream and bills what was produced).
 */
export function drained(res: ServerResponse, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      res.destroy();
      done();
    }, ms);
    res.on('drain', done).on('close', done);
  });
}

export async function respondStream(x: Exchange, up: UpstreamReply, baseHeaders: Record<string, string>, state: ClientWatch): Promise<void> {
  const { res } = x;
  // Headers go out with the first event (one write, as a plain proxy does).
  if (!state.gone) res.writeHead(200, { ...baseHeaders, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const parser = new SseParser();
  const meter = wireFormat(x.adapter.wire).streamMeter(x.rt.clock);
  const transform: StreamTransform | null = makeStreamTransform(x);
  const text = new StreamedText(x.adapter.wire);
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
      x.rt.log.warn(
        { requestId: x.requestId, upstream: x.adapter.name, upstreamErrorType: err.type, upstreamMessage: err.message.slice(0, 500) },
        'the upstream sent an error event mid-stream',
      );
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
      text.observe(ev);
    }
    // The client left: keep reading (bounded by the watch) until the usage arrives; write nothing.
    if (state.gone) return undefined;
    let out: string | null = segment;
    if (transform) {
      let t = '';
      for (const ev of events) t += transform.push(ev);
      out = t;
    } else if (hadError) out = serializeEvents(events);
    if (hadError) errored = true;
    if (out === null || out.length === 0) return undefined;
    // The final event and an error event both end the stream: held back until the usage event is durable.
    if (meter.complete || hadError) {
      tail.push(out);
      return undefined;
    }
    if (!wrote) {
      wrote = true;
      x.rt.telemetry?.firstByte(res);
    }
    return res.write(out) ? undefined : drained(res, x.rt.config.http.writeTimeoutMs);
  };

  await new Promise<void>((resolve) => {
    up.pipe({
      chunk(b) {
        state.read(b.length);
        let wait: ReturnType<typeof handle>;
        if (aligner) {
          const seg = aligner.push(b);
          wait = seg ? handle(parser.push(seg), seg) : undefined;
        } else wait = handle(parser.push(b), null);
        if (!wait) return true;
        void wait.then(() => up.resume());
        return false;
      },
      end(err) {
        if (err) upstreamFailed = !state.cut;
        else if (aligner) {
          const seg = aligner.end();
          handle([...parser.push(seg), ...parser.end()], seg);
        } else handle(parser.end(), null);
        resolve();
      },
    });
  });

  const outcome: Outcome = state.clientGone ? 'client_aborted' : meter.error ? 'upstream_error' : upstreamFailed || !meter.complete ? 'incomplete' : 'ok';
  const billed = streamUsage(x, meter, text);
  if (billed) await settle(x, { ...billed, status: 200, outcome, firstContentAt: meter.firstContentAt });

  if (res.destroyed || state.gone) return;
  res.cork(); // the error event / held-back tail and the end go out in one write
  if (outcome === 'incomplete' || outcome === 'upstream_error') {
    // An upstream error event already reached the client (forwarded or translated); a cut stream
    // gets one error event from us.
    if (!meter.error) {
      const message = 'The upstream stream ended unexpectedly';
      res.write(profileOf(x.surface).streamError('api_error', message));
    }
  } else if (transform) tail.push(transform.end());
  for (const t of tail) res.write(t);
  res.end();
}

/**
 * What to bill for a stream, whatever its end: the usage the upstream reported once it reported
 * its final counts (bounded: bounds.ts); otherwise (cut before them) an `estimated` bound — the
 * input the stream reported (Anthropic's message_start) or else the body's byte bound, and for
 * output the tokens of the text streamed so far (content, reasoning, tool arguments; never the
 * framing), capped at max_tokens × choices; models with hidden reasoning (o-series, GPT-5) are
 * billed max_tokens × choices, since their reasoning was never streamed. Undefined when the
 * upstream produced nothing at all.
 */
function streamUsage(x: Exchange, meter: StreamMeter, text: StreamedText): { usage: Usage; estimated: boolean; anomalies: string[] } | undefined {
  const seen = meter.usage();
  if (meter.final || meter.complete) {
    const b = boundUsage(seen ?? emptyUsage(), meter.anomalies(), x.limits);
    return { usage: b.usage, estimated: false, anomalies: b.anomalies };
  }
  if (seen === undefined && !text.any) return undefined;
  const b = seen ? boundUsage(seen, meter.anomalies(), x.limits) : { usage: { ...emptyUsage(), inputTokens: x.limits.inputBound }, anomalies: [] };
  const usage = b.usage;
  const hidden = seen === undefined && hasHiddenReasoning(x.model.id);
  const streamed = hidden ? x.limits.outputBound : Math.min(text.tokens(x.family), x.limits.outputBound);
  usage.outputTokens = Math.max(usage.outputTokens, streamed);
  return { usage, estimated: true, anomalies: b.anomalies };
}
