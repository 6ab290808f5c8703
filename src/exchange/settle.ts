/**
 * Turns the metered usage of one exchange into exactly one priced, durable usage event and
 * settles the spend reservation. Returns the promise of durability (the caller holds the
 * response's last bytes until it resolves).
 */
import { dayKey, monthKey } from '../core/clock.ts';
import type { Usage } from '../metering/usage.ts';
import { costOf } from '../pricing/cost.ts';
import { priceUsage } from '../pricing/variants.ts';
import type { Exchange } from './types.ts';
import { isSimulatedUpstream } from '../config/config.ts';

export type Outcome = 'ok' | 'client_aborted' | 'upstream_error' | 'incomplete';

export interface SettleInput {
  usage: Usage;
  status: number;
  outcome: Outcome;
  estimated: boolean;
  firstContentAt?: number;
  /** Why the reported usage was not believed (bounds.ts); the usage given is already the bound billed. */
  anomalies?: string[];
}

/**
 * OpenAI-wire upstreams (OpenRouter, LiteLLM in front of Claude) report cache writes as one number.
 * Unless they split it by TTL, the writes were made at the TTL the request asked for: all of them
 * when it asked only for 1-hour entries, and — when it mixed TTLs — at the dearer 1-hour price, the
 * conservative reading (docs/pricing.md).
 */
export function withRequestedTtl(u: Usage, wire: string, ttl: '5m' | '1h' | null | undefined): Usage {
  if (wire !== 'openai' || u.cacheTtlReported || ttl !== '1h' || u.cacheWrite5mTokens === 0) return u;
  return { ...u, cacheWrite1hTokens: u.cacheWrite1hTokens + u.cacheWrite5mTokens, cacheWrite5mTokens: 0 };
}

export function settle(x: Exchange, s0: SettleInput): Promise<void> {
  const s = { ...s0, usage: withRequestedTtl(s0.usage, x.adapter.wire, x.cacheTtl) };
  const now = x.rt.clock.now();
  // One month rule for caps and reports: the month (and day) of admission (docs/billing.md).
  const admitted = x.ticket.admittedAt ?? x.startedAt;
  // The price row and multipliers follow what the upstream reported (speed, tier, geo, prompt length).
  const priced = priceUsage(s.usage, x.price, x.model);
  const cost = costOf(s.usage, priced.prices);
  // The simulator costs the operator nothing (and reports keep its answers out of revenue).
  const upstreamCost = isSimulatedUpstream(x.adapter.name) ? 0n : costOf(s.usage, priced.list);
  x.ticket.settle(s.usage, cost);
  const p = x.principal;
  const anomaly = s.anomalies?.length ? s.anomalies.join(',').slice(0, 500) : null;
  if (anomaly) {
    const u = s.usage;
    x.rt.operatorAlerts?.report({
      kind: 'usage_anomaly',
      orgId: p.org.id,
      requestId: x.requestId,
      detail: `The upstream ${x.adapter.name} reported usage for ${x.model.id} that could not be believed (${anomaly}); billed the bound instead: input ${u.inputTokens}, output ${u.outputTokens} tokens.`,
    });
  }
  x.rt.telemetry?.settled(x.res, {
    model: x.model.id,
    responseModel: x.adapter.upstreamModel(x.model),
    upstream: x.adapter.name,
    orgId: p.org.id,
    usage: s.usage,
    cost,
    stream: x.stream,
  });
  return x.rt.usage
    .record({
      id: x.requestId,
      org_id: p.org.id,
      workspace_id: p.key.workspaceId,
      key_id: p.key.id,
      model: x.model.id,
      upstream: x.adapter.name,
      surface: x.surface,
      status: BigInt(s.status),
      outcome: s.outcome,
      stream: x.stream ? 1n : 0n,
      input_tokens: BigInt(s.usage.inputTokens),
      output_tokens: BigInt(s.usage.outputTokens),
      cache_write_5m_tokens: BigInt(s.usage.cacheWrite5mTokens),
      cache_write_1h_tokens: BigInt(s.usage.cacheWrite1hTokens),
      cache_read_tokens: BigInt(s.usage.cacheReadTokens),
      web_search_requests: BigInt(s.usage.webSearchRequests),
      cost,
      upstream_cost: upstreamCost,
      price_id: (priced.variant ? x.price.variants?.[priced.variant.split('+')[0] as 'fast']?.row.id : undefined) ?? x.price.row.id,
      estimated: s.estimated ? 1n : 0n,
      created_at: BigInt(admitted),
      month: monthKey(admitted),
      day: dayKey(admitted),
      latency_ms: BigInt(Math.max(0, now - x.startedAt)),
      ttft_ms: s.firstContentAt === undefined ? null : BigInt(Math.max(0, s.firstContentAt - x.startedAt)),
      idempotency_key: x.idempotencyKey,
      anomaly,
      attempts: BigInt(x.attempts),
      speed: s.usage.speed ?? null,
      service_tier: s.usage.serviceTier ?? null,
      inference_geo: s.usage.inferenceGeo ?? null,
      web_fetch_requests: BigInt(s.usage.webFetchRequests ?? 0),
      code_execution_requests: BigInt(s.usage.codeExecutionRequests ?? 0),
      price_variant: priced.variant,
    })
    .catch((e) => {
      // The event stays queued in the writer and is written once the database is back.
      x.rt.log.error({ requestId: x.requestId, err: e }, 'usage event not yet durable');
    });
}
