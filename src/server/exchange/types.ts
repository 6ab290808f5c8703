/** The state of one proxied request, shared by the forward, respond and settle steps. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../accounts/key-cache.ts';
import type { Surface, Ticket } from '../../limits/admission.ts';
import type { ResolvedPrice } from '../../pricing/price-book.ts';
import type { CatalogModel } from '../../pricing/types.ts';
import type { PoolWalk } from '../../providers/router.ts';
import type { Operation, UpstreamAdapter } from '../../providers/types.ts';
import type { Runtime } from '../runtime.ts';

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
  /** Pre-request input estimate (used only when a cut stream never reported usage). */
  estimatedInputTokens: number;
  /** The rest of the model's pool (fallback before the first byte). */
  walk: PoolWalk;
  /** Builds the request for another upstream of the pool. */
  plan(adapter: UpstreamAdapter): AttemptPlan;
  /** Upstreams tried so far, this one included. */
  attempts: number;
  /** Whole-request time limit from the key's policy (ms), if any. */
  timeoutMs?: number;
}
