/**
 * The gateway's one observer: the HTTP front and the exchange steps report to it, and it feeds
 * Prometheus metrics and OpenTelemetry spans. With neither on (no scrape credential, no OTLP
 * endpoint) `begin()` returns undefined and every other call is a no-op: zero cost.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Usage } from '../metering/usage.ts';
import type { Metrics } from './metrics.ts';
import { attachObs, obsOf, RequestObs, refusalReason } from './obs.ts';
import type { Tracing } from './tracing.ts';
import { isSurface, type Surface } from '../wire/surface.ts';

export interface SettledInfo {
  model: string;
  responseModel: string;
  upstream: string;
  orgId: string;
  usage: Usage;
  cost: bigint;
  stream: boolean;
}

let active: Telemetry | undefined;

/** One listener function for every response (no closure per request). */
function onClose(this: ServerResponse) {
  const o = obsOf(this);
  if (o && active) active.end(this, o);
}

export class Telemetry {
  constructor(
    readonly metrics: Metrics | null,
    readonly tracing: Tracing | null,
  ) {}

  get enabled(): boolean {
    return this.metrics !== null || this.tracing !== null;
  }

  /** Called by the HTTP front for each inference request, before the handler runs. */
  begin(surface: Surface, path: string, res: ServerResponse): RequestObs | undefined {
    if (!this.enabled) return undefined;
    active = this;
    const o = new RequestObs(surface, performance.now());
    if (this.tracing)
      o.span = this.tracing.startSpan(`chat`, {
        'gen_ai.operation.name': 'chat',
        'http.request.method': 'POST',
        'url.path': path,
        'tollgate.surface': surface,
      });
    attachObs(res, o);
    this.metrics?.inflight.inc();
    res.on('close', onClose);
    return o;
  }

  /** The response is over (sent, failed or abandoned). */
  end(res: ServerResponse, o: RequestObs): void {
    const now = performance.now();
    const status = res.headersSent ? res.statusCode : 499;
    const upstreamMs = o.upstreamStart && o.upstreamEnd ? o.upstreamEnd - o.upstreamStart : 0;
    if (this.metrics) {
      this.metrics.inflight.dec();
      this.metrics.request(o.surface, o.model, status, o.stream, now - o.start, upstreamMs, o.firstByte ? o.firstByte - o.start : 0, o.upstream);
    }
    const span = o.span;
    if (span) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500 || status === 499) span.setStatus({ code: 2 /* ERROR */ });
      span.end();
      o.span = undefined;
    }
  }

  /** The request was routed (model resolved, upstream chosen). */
  routed(
    res: ServerResponse,
    model: string,
    upstream: string,
    provider: string,
    stream: boolean,
    requestId: string,
    orgId: string,
    prompt?: () => unknown,
  ): void {
    const o = obsOf(res);
    if (!o) return;
    o.model = model;
    o.upstream = upstream;
    o.stream = stream;
    const span = o.span;
    if (span) {
      span.updateName(`chat ${model}`);
      span.setAttributes({
        'gen_ai.request.model': model,
        'gen_ai.provider.name': provider,
        'gen_ai.system': provider,
        'tollgate.upstream': upstream,
        'tollgate.request_id': requestId,
        'tollgate.org_id': orgId,
        'tollgate.stream': stream,
      });
      if (this.tracing?.captureContent && prompt) span.setAttribute('gen_ai.input.messages', JSON.stringify(prompt()));
    }
  }

  upstreamStarted(res: ServerResponse): void {
    const o = obsOf(res);
    if (o) o.upstreamStart = performance.now();
  }

  firstByte(res: ServerResponse): void {
    const o = obsOf(res);
    if (o && !o.firstByte) o.firstByte = performance.now();
  }

  /** Usage is metered and priced (the upstream exchange is over). */
  settled(res: ServerResponse, s: SettledInfo): void {
    const o = obsOf(res);
    if (o && !o.upstreamEnd) o.upstreamEnd = performance.now();
    const u = s.usage;
    this.metrics?.usage(
      s.model,
      s.orgId,
      {
        input: u.inputTokens,
        output: u.outputTokens,
        cache_write_5m: u.cacheWrite5mTokens,
        cache_write_1h: u.cacheWrite1hTokens,
        cache_read: u.cacheReadTokens,
      },
      s.cost,
    );
    const span = o?.span;
    if (span) {
      span.setAttributes({
        'gen_ai.response.model': s.responseModel,
        'gen_ai.usage.input_tokens': u.inputTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens + u.cacheReadTokens,
        'gen_ai.usage.output_tokens': u.outputTokens,
        'gen_ai.usage.cache_read.input_tokens': u.cacheReadTokens,
        'gen_ai.usage.cache_creation.input_tokens': u.cacheWrite5mTokens + u.cacheWrite1hTokens,
      });
    }
  }

  /** A refusal rendered by the HTTP front (4xx/503 in the surface's envelope). */
  refused(surface: string, res: ServerResponse, status: number, type: string, code: string): void {
    const reason = refusalReason(status, type, code);
    if (reason && isSurface(surface)) this.metrics?.refused(surface, reason);
    const span = obsOf(res)?.span;
    if (span) span.setAttribute('error.type', code);
  }

  upstreamError(res: ServerResponse, upstream: string, kind: string): void {
    const o = obsOf(res);
    if (o && !o.upstreamEnd) o.upstreamEnd = performance.now();
    this.metrics?.upstreamError(upstream, kind);
  }

  holdTaken(): void {
    this.metrics?.holds.inc();
  }
  holdReleased(): void {
    this.metrics?.holds.dec();
  }

  async shutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}

/** Telemetry that observes nothing (tests and tools that build a Runtime by hand). */
export const NO_TELEMETRY = new Telemetry(null, null);
