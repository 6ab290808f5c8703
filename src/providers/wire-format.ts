/**
 * What differs between the upstream wire formats when their replies are read: one profile per
 * format (the dialects themselves, and what differs in rendering them, are `wire/surface.ts`).
 */
import { AnthropicStreamMeter, usageFromAnthropic } from '../metering/anthropic-meter.ts';
import { OpenaiStreamMeter, usageFromOpenai } from '../metering/openai-meter.ts';
import type { StreamMeter } from '../metering/stream-meter.ts';
import type { Usage } from '../metering/usage.ts';
import type { Surface } from '../wire/surface.ts';
import type { Clock } from '../core/clock.ts';

export interface WireFormat {
  /** A meter for a streamed reply. */
  streamMeter(clock: Clock): StreamMeter;
  /** The usage a JSON reply reports; `notes` collects what could not be believed (bounds.ts). */
  replyUsage(json: unknown, notes: string[]): Usage;
  /**
   * Stream errors come only as `event: error` (Anthropic). Otherwise (OpenAI-compatible servers)
   * a `data:` chunk with an `error` object is one too.
   */
  readonly namedErrorEventsOnly: boolean;
  /** Its error types are the gateway's own (a 4xx keeps the upstream's type). */
  readonly sharesErrorTypes: boolean;
}

/** A member of a parsed JSON reply, if the reply is an object. */
const field = (json: unknown, key: string): unknown => (json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[key] : undefined);

const FORMATS: Record<Surface, WireFormat> = {
  anthropic: {
    streamMeter: (clock) => new AnthropicStreamMeter(clock),
    replyUsage: (json, notes) => usageFromAnthropic(field(json, 'usage'), notes),
    namedErrorEventsOnly: true,
    sharesErrorTypes: true,
  },
  openai: {
    streamMeter: (clock) => new OpenaiStreamMeter(clock),
    replyUsage: (json, notes) => usageFromOpenai(field(json, 'usage'), field(json, 'service_tier'), notes),
    namedErrorEventsOnly: false,
    sharesErrorTypes: false,
  },
};

export function wireFormat(wire: Surface): WireFormat {
  return FORMATS[wire];
}
