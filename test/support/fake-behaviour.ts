/**
 * Script vocabulary of the fake upstream. A request is driven by a `Behaviour`: one `Step` or an
 * array of steps, merged left to right into a `Plan` (later steps win on conflicting fields).
 * Every step may also carry `text` (reply text override, e.g. emoji/CJK), `headers` (extra
 * response headers) and `lineEnding`, so `{ kind: 'chunking', sizes: 'byte', text: '🎉' }` is a
 * combined behaviour and `{ text: '你好' }` alone is a normal reply with that text.
 */
import type { OpenaiUsage, UsageOverride } from '../../src/providers/simulator/index.ts';

/** How the response bytes are cut into writes: fixed sizes (cycled), one byte each, or seeded random 1..16. */
export type ChunkSizes = readonly number[] | 'byte' | 'random';
export type LineEnding = '\n' | '\r\n';

/** Fields any step may carry. */
export interface StepCommon {
  /** Reply text override (still limited by max_tokens / stop sequences). */
  text?: string;
  /** Extra response headers (e.g. `retry-after`, rate-limit headers). */
  headers?: Record<string, string>;
  /** SSE line ending (default `\n`). */
  lineEnding?: LineEnding;
}

export type Step = StepCommon &
  (
    | { kind?: 'normal' }
    /** Reply with this status and body; without `body`: the surface's error envelope (status >= 400) or `{}`. */
    | { kind: 'json'; status: number; body?: unknown }
    /** Force reported usage (Anthropic fields; mapped onto OpenAI usage; `openaiUsage` verbatim). */
    | { kind: 'usage'; usage: UsageOverride; openaiUsage?: Partial<OpenaiUsage> }
    /** Write the body in awkward pieces, awaiting between writes so they are separate TCP chunks. */
    | { kind: 'chunking'; sizes: ChunkSizes; seed?: number }
    /** Destroy the socket after `afterEvents` SSE events (JSON bodies: after half the bytes). */
    | { kind: 'cut'; afterEvents: number }
    /** After `afterEvents` events of a 200 stream, send an error event and end the stream. */
    | { kind: 'error-event'; afterEvents: number; error: { type: string; message: string; code?: string | null } }
    | { kind: 'delay'; headersMs?: number; betweenEventsMs?: number }
    /** Never respond (the request stays open until the client aborts or the fake closes). */
    | { kind: 'hang' }
  );

export type Behaviour = Step | readonly Step[];

/** The merged, per-request instructions. */
export interface Plan {
  text?: string;
  headers: Record<string, string>;
  lineEnding: LineEnding;
  json?: { status: number; body?: unknown };
  usage?: UsageOverride;
  openaiUsage?: Partial<OpenaiUsage>;
  chunking?: { sizes: ChunkSizes; seed: number };
  cutAfterEvents?: number;
  errorEvent?: { afterEvents: number; error: { type: string; message: string; code?: string | null } };
  headersMs: number;
  betweenEventsMs: number;
  hang: boolean;
}

/** Merges a behaviour into a plan. */
export function resolvePlan(b: Behaviour | undefined): Plan {
  const plan: Plan = { headers: {}, lineEnding: '\n', headersMs: 0, betweenEventsMs: 0, hang: false };
  const steps: readonly Step[] = b === undefined ? [] : Array.isArray(b) ? b : [b as Step];
  for (const s of steps) {
    if (s.text !== undefined) plan.text = s.text;
    if (s.headers) Object.assign(plan.headers, s.headers);
    if (s.lineEnding) plan.lineEnding = s.lineEnding;
    switch (s.kind) {
      case undefined:
      case 'normal':
        break;
      case 'json':
        plan.json = { status: s.status, body: s.body };
        break;
      case 'usage':
        plan.usage = { ...plan.usage, ...s.usage };
        if (s.openaiUsage) plan.openaiUsage = { ...plan.openaiUsage, ...s.openaiUsage };
        break;
      case 'chunking':
        plan.chunking = { sizes: s.sizes, seed: s.seed ?? 1 };
        break;
      case 'cut':
        plan.cutAfterEvents = s.afterEvents;
        break;
      case 'error-event':
        plan.errorEvent = { afterEvents: s.afterEvents, error: s.error };
        break;
      case 'delay':
        if (s.headersMs !== undefined) plan.headersMs = s.headersMs;
        if (s.betweenEventsMs !== undefined) plan.betweenEventsMs = s.betweenEventsMs;
        break;
      case 'hang':
        plan.hang = true;
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown fake-upstream behaviour ${JSON.stringify(never)}`);
      }
    }
  }
  return plan;
}
