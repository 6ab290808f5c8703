/** The state of one proxied request, shared by the forward, respond and settle steps. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UsageLimits } from '../metering/bounds.ts';
import type { ModelFamily } from '../metering/estimate.ts';
import type { Principal } from '../accounts/key-cache.ts';
import type { Ticket } from '../limits/admission.ts';
import type { ResolvedPrice } from '../pricing/price-book.ts';
import type { CatalogModel } from '../pricing/types.ts';
import type { PoolWalk } from '../providers/router.ts';
import type { Operation, UpstreamAdapter } from '../providers/types.ts';
import type { Surface } from '../wire/surface.ts';
import type { Runtime } from './runtime.ts';

/** How the upstream's reply reaches the client: unchanged, or translated between wire formats. */
export type ReplyMode = 'pass' | 'anthropic-to-openai' | 'openai-to-anthropic';

/** What one upstream of the pool is sent, and how its reply is answered. */
export interface AttemptPlan {
  op: Operation;
  upstreamBody: string | Buffer;
  mode: ReplyMode;
  /** Output ceiling the request carries to this upstream (bounds the spend hold). */
  maxOutputTokens: number;
  cacheTtl: '5m' | '1h' | null;
}

export interface Exchange {
  rt: Runtime;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  startedAt: number;
  surface: Surface;
  principal: Principal;
  model: CatalogModel;
  price: ResolvedPrice;
  adapter: UpstreamAdapter;
  ticket: Ticket;
  op: Operation;
  upstreamBody: string | Buffer;
  stream: boolean;
  mode: ReplyMode;
  /** OpenAI surface: whether the client asked for `stream_options.include_usage`. */
  clientIncludeUsage: boolean;
  /** The model name the client used (echoed back in translated replies). */
  clientModel: string;
  idempotencyKey: string | null;
  /** Pre-request input estimate (rate limiting only; billing never uses it). */
  estimatedInputTokens: number;
  /** Sanity bounds of the reported usage and the conservative figures billed when it cannot be believed. */
  limits: UsageLimits;
  /** Tokenizer family for estimates of cut streams. */
  family: ModelFamily;
  /** The longest cache TTL the request asked for (OpenAI-wire cache writes are settled at it). */
  cacheTtl?: '5m' | '1h' | null;
  /** The rest of the model's pool (fallback before the first byte). */
  walk: PoolWalk;
  /** Builds the request for another upstream of the pool. */
  plan(adapter: UpstreamAdapter): AttemptPlan;
  /** Upstreams tried so far, this one included. */
  attempts: number;
  /** Whole-request time limit from the key's policy (ms), if any. */
  timeoutMs?: number;
}
