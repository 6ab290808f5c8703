/**
 * The upstream-attempt loop: sends the request to the model's pool, one upstream at a time, until
 * one answers — and never after the first byte has reached the client. Connection refused or
 * reset, no headers within the upstream's `headersMs`, 429 (a cool-down from its retry hint),
 * 529 / overloaded, other 5xx, a rejected credential, for JSON replies a body cut before its end,
 * and for streams a reply cut, ended or reporting an error before its first event
 * (first-event.ts: the client has been sent nothing until then) all move the request to the next
 * upstream. A reply about the request itself (400, 404, 413,
 * 422) goes back to the client at once. Each outcome feeds the upstream's breaker.
 *
 * Timeouts: per upstream (headers, between stream chunks, whole attempt) and per key (the whole
 * request across attempts); a timeout after the reply started ends it as a cut stream does.
 */
import { Cancel, type AbortLike } from '../core/cancel.ts';
import { codes, fail, GatewayError, upstreamStatusError } from '../core/errors.ts';
import { coolDownMs } from '../providers/rate-headers.ts';
import type { UpstreamAdapter } from '../providers/types.ts';
import { poolUnavailable, priceVia } from './resolve.ts';
import { forward } from '../providers/forward.ts';
import type { ChunkSink, UpstreamReply } from '../providers/upstream-call.ts';
import { awaitFirstEvent } from './first-event.ts';
import { retryHeaders, upstreamError } from '../providers/upstream-error.ts';
import type { Exchange } from './types.ts';

export interface Served {
  /** The exchange as the serving upstream saw it (adapter, body, price, attempts). */
  x: Exchange;
  up: UpstreamReply;
  /** Stops the attempt's timers (call when the exchange is over). */
  done(): void;
}

type Why = 'headers_timeout' | 'idle_timeout' | 'total_timeout' | 'deadline';

/** Statuses after which another upstream may well succeed (the request itself was fine). */
const retryable = (status: number, err: GatewayError) =>
  status === 429 || status >= 500 || status === 401 || status === 403 || status === 402 || err.code === codes.upstream_account_error;

export async function attemptUpstreams(x0: Exchange, client: AbortLike, state: { clientGone: boolean }): Promise<Served | undefined> {
  const { rt } = x0;
  const now = () => rt.clock.now();
  const defaults = rt.config.pool.timeouts;
  const deadlineAt = x0.timeoutMs ? x0.startedAt + x0.timeoutMs : 0;
  let adapter: UpstreamAdapter | undefined = x0.adapter;
  let last: GatewayError | undefined;
  for (let n = 1; adapter; n++) {
    const x: Exchange = n === 1 ? x0 : { ...x0, adapter, ...x0.plan(adapter), price: priceVia(rt, x0.model, x0.price, adapter, now()), attempts: n };
    const t = { ...defaults, ...adapter.timeouts };
    const ac = new Cancel();
    let why: Why | undefined;
    const timers: NodeJS.Timeout[] = [];
    const stop = (w: Why) => {
      why ??= w;
      ac.abort();
    };
    const arm = (ms: number, w: Why) => {
      if (ms > 0) {
        const h = setTimeout(() => stop(w), ms);
        h.unref();
        timers.push(h);
        return h;
      }
      return undefined;
    };
    const done = () => {
      for (const h of timers) clearTimeout(h);
      client.removeEventListener('abort', onClient);
    };
    const onClient = () => ac.abort();
    client.addEventListener('abort', onClient, { once: true });
    if (deadlineAt) {
      const left = deadlineAt - now();
      if (left <= 0) {
        done();
        throw deadlineError(x);
      }
      arm(left, 'deadline');
    }
    arm(t.totalMs, 'total_timeout');
    const headersTimer = arm(t.headersMs, 'headers_timeout');
    const health = rt.router.health(adapter.name);
    health.begin();
    const sentAt = now();
    let up: UpstreamReply;
    try {
      up = await forward(x, ac);
    } catch (e) {
      done();
      if (state.clientGone) {
        health.release();
        return undefined;
      }
      if (why === 'deadline') {
        health.release();
        throw deadlineError(x);
      }
      const reason = why ?? (e instanceof GatewayError ? String((e.cause as { code?: string } | undefined)?.code ?? e.code) : 'error');
      health.failure(why ? 'timeout waiting for headers' : `connection: ${reason}`);
      last = why ? fail.upstream_timeout(`The upstream for ${x.model.id} did not answer in time`) : toGateway(e);
      adapter = nextOf(x);
      continue;
    }
    if (headersTimer) clearTimeout(headersTimer);

    if (up.statusCode < 200 || up.statusCode >= 300) {
      let text = '';
      try {
        text = await up.text();
      } catch {
        /* cut error body */
      }
      done();
      if (state.clientGone) {
        health.release();
        return undefined;
      }
      rt.telemetry?.upstreamError(x.res, x.adapter.name, String(up.statusCode));
      const log = (fields: Record<string, unknown>, msg: string) =>
        rt.log.warn({ requestId: x.requestId, upstream: x.adapter.name, attempt: n, ...fields }, msg);
      const err = upstreamError(up.statusCode, text, x.adapter.wire, { ...x.ticket.headers, ...retryHeaders(up.headers) }, log);
      if (!retryable(up.statusCode, err)) {
        health.success(now() - sentAt, up.headers);
        throw err;
      }
      if (up.statusCode === 429 || up.statusCode === 529) health.coolDown(coolDownMs(up.headers, now(), rt.config.pool.coolDownMs), `HTTP ${up.statusCode}`);
      if (up.statusCode !== 429) health.failure(`HTTP ${up.statusCode}`);
      last = err;
      adapter = nextOf(x);
      continue;
    }

    if (!x.stream) {
      // Nothing reaches the client before the whole JSON is in: a cut body can still fall back.
      let raw: string;
      try {
        raw = await up.text();
      } catch {
        done();
        if (state.clientGone) {
          health.release();
          return undefined;
        }
        if (why === 'deadline') {
          health.release();
          throw deadlineError(x);
        }
        health.failure(why ? why.replace('_', ' ') : 'body cut');
        last = fail.upstream_unavailable(`The upstream for ${x.model.id} ended its reply early`);
        adapter = nextOf(x);
        continue;
      }
      health.success(now() - sentAt, up.headers);
      return { x, up: { ...up, text: async () => raw }, done };
    }

    // A stream: nothing reaches the client before its first event, so until then it can still fall back.
    const idle = arm(t.betweenEventsMs, 'idle_timeout');
    const first = await awaitFirstEvent(up, x.adapter.wire, () => idle?.refresh());
    if (!first.ok) {
      done();
      ac.abort(); // an error event may be followed by more of the stream: stop reading it
      if (state.clientGone) {
        health.release();
        return undefined;
      }
      if (why === 'deadline') {
        health.release();
        throw deadlineError(x);
      }
      const what = why
        ? why.replace('_', ' ')
        : first.why === 'error_event'
          ? `stream error event (${first.errorType}) before the first event`
          : `stream ${first.why} before its first event`;
      rt.log.warn(
        { requestId: x.requestId, upstream: x.adapter.name, attempt: n, reason: what },
        'upstream stream failed before anything reached the client; trying the next upstream',
      );
      health.failure(what);
      last =
        first.why === 'error_event' && first.errorType === 'overloaded_error'
          ? upstreamStatusError(529, 'overloaded_error', 'The upstream is overloaded; retry shortly', { shouldRetry: true })
          : fail.upstream_unavailable(`The upstream for ${x.model.id} ended its stream before its first event`);
      adapter = nextOf(x);
      continue;
    }
    health.success(now() - sentAt, up.headers);
    return { x, up: idleGuarded(first.up, idle), done };
  }
  if (last) throw last;
  throw poolUnavailable(x0.model.id, x0.walk.retryAt(), now());

  function nextOf(x: Exchange): UpstreamAdapter | undefined {
    if (x.walk.attempts >= rt.config.pool.maxAttempts) return undefined;
    return x.walk.next();
  }
}

/** A streamed reply whose upstream is aborted when no chunk arrives for the idle timeout (`timer`, armed by the caller). */
function idleGuarded(up: UpstreamReply, idle: NodeJS.Timeout | undefined): UpstreamReply {
  if (!idle) return up;
  let timer: NodeJS.Timeout | undefined = idle;
  const pipe = up.pipe.bind(up);
  up.pipe = (sink: ChunkSink) =>
    pipe({
      chunk(b) {
        if (timer) timer.refresh();
        return sink.chunk(b);
      },
      end(err) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        sink.end(err);
      },
    });
  return up;
}

function deadlineError(x: Exchange): GatewayError {
  return fail.key_timeout(`The request took longer than this API key allows (${x.timeoutMs} ms)`);
}

function toGateway(e: unknown): GatewayError {
  return e instanceof GatewayError ? e : fail.upstream_unavailable('The upstream is unavailable. Please retry.', { cause: e });
}
