/** What the pipeline reads from a meter beside a streamed reply, whatever the wire format. */
import type { SseEvent } from './sse-parser.ts';
import type { Usage } from './usage.ts';

/** An error event in a stream: its type and message. */
export interface StreamError {
  type: string;
  message: string;
}

export interface StreamMeter {
  observe(ev: SseEvent): void;
  /** The usage reported so far; undefined when the stream reported none. */
  usage(): Usage | undefined;
  /** What was wrong with the reported usage (`missing:…`, `invalid:…`). */
  anomalies(): string[];
  /** The stream reported its final counts (they are billed as they are, even if the stream was cut after them). */
  readonly final: boolean;
  /** The stream's end marker was seen. */
  readonly complete: boolean;
  /** The first error event. */
  readonly error: StreamError | undefined;
  /** `now()` at the first content (time to first token). */
  readonly firstContentAt: number | undefined;
}
