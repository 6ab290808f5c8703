/**
 * OpenTelemetry traces, only when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`):
 * the SDK is loaded lazily, so without it nothing is imported and no span object exists.
 *
 * One span per inference request, named and attributed by the GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/): `{operation} {model}`,
 * `gen_ai.operation.name`, `gen_ai.provider.name` (and the older `gen_ai.system`),
 * `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.usage.input_tokens` /
 * `output_tokens`. Prompt content is never recorded unless `TOLLGATE_OTEL_CAPTURE_CONTENT` is on.
 */
import type { Span, Tracer } from '@opentelemetry/api';

export interface TracingConfig {
  /** The OTLP/HTTP base endpoint; traces go to `<endpoint>/v1/traces` (per the OTLP exporter spec). */
  endpoint?: string;
  /** A traces-only endpoint, used as is (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). */
  tracesEndpoint?: string;
  headers?: Record<string, string>;
  serviceName: string;
  captureContent: boolean;
}

export interface Tracing {
  tracer: Tracer;
  captureContent: boolean;
  startSpan(name: string, attributes: Record<string, string | number | boolean>): Span;
  shutdown(): Promise<void>;
}

export function tracesUrl(c: TracingConfig): string | undefined {
  if (c.tracesEndpoint) return c.tracesEndpoint;
  if (!c.endpoint) return undefined;
  return `${c.endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export async function startTracing(c: TracingConfig): Promise<Tracing | null> {
  const url = tracesUrl(c);
  if (!url) return null;
  const [api, { NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: c.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: c.headers }), { scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('tollgate');
  return {
    tracer,
    captureContent: c.captureContent,
    startSpan: (name, attributes) => tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes }),
    async shutdown() {
      await provider.forceFlush().catch(() => {});
      await provider.shutdown().catch(() => {});
    },
  };
}
