/** One usage event as the writer, its sinks, the spool and the dead letters carry it. */
import type { UsageEventsTable } from '../store/schema.ts';

type FullRow = { [K in keyof UsageEventsTable]: UsageEventsTable[K] extends import('kysely').ColumnType<infer S, unknown, unknown> ? S : UsageEventsTable[K] };
/** Columns added by migration 010: optional on a row (absent = not reported / standard / zero). */
export const PREMIUM_COLUMNS = ['speed', 'service_tier', 'inference_geo', 'web_fetch_requests', 'code_execution_requests', 'price_variant'] as const;
/** Columns added later that a row may leave out: PREMIUM_COLUMNS and `attempts` (migration 050, default 1). */
type OptionalColumn = (typeof PREMIUM_COLUMNS)[number] | 'attempts';
export type UsageEventRow = Omit<FullRow, OptionalColumn> & Partial<Pick<FullRow, OptionalColumn>>;

/** A row with every migration-010 column filled in (null / 0 / '' where absent). */
export function withPremiumDefaults(r: UsageEventRow): FullRow {
  return {
    ...r,
    speed: r.speed ?? null,
    service_tier: r.service_tier ?? null,
    inference_geo: r.inference_geo ?? null,
    web_fetch_requests: r.web_fetch_requests ?? 0n,
    code_execution_requests: r.code_execution_requests ?? 0n,
    price_variant: r.price_variant ?? '',
    attempts: r.attempts ?? 1n,
  };
}
