/**
 * What request handlers need: the typed dependencies `main()` wires together. Handlers read
 * the current in-memory state through these, never the database.
 */
import type { Logger } from 'pino';
import type { KeyCache } from '../accounts/key-cache.ts';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { Admission } from '../limits/admission.ts';
import type { ModelRegistry } from '../pricing/models.ts';
import type { PriceBook } from '../pricing/price-book.ts';
import type { UpstreamRouter } from '../providers/router.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { UsageWriter } from '../usage/writer.ts';
import type { IdempotencyCache } from './idempotency.ts';
import type { AuthThrottle } from '../limits/guards/auth-throttle.ts';
import type { ConcurrencyLimiter } from '../limits/guards/concurrency.ts';

export interface Runtime {
  config: Config;
  clock: Clock;
  log: Logger;
  keys: KeyCache;
  models(): ModelRegistry;
  prices(): PriceBook;
  router: UpstreamRouter;
  /** A workspace's model policy (keys carry their own on `principal.key.policy`). */
  workspacePolicy(id: string): import('../accounts/policy.ts').ModelPolicy | undefined;
  admission(): Admission;
  /** `redisFailMode: open`: the per-instance admission used while the shared limiter is unreachable. */
  admissionFallback?(): Admission | undefined;
  usage: UsageWriter;
  idempotency: IdempotencyCache;
  /** Abuse limits: failed-authentication throttling per address, concurrent requests per org. */
  guards: { authFailures: AuthThrottle; concurrency: ConcurrencyLimiter };
  /** Operator alerts (usage anomalies, refused or spooled usage rows). */
  operatorAlerts?: import('../billing/alerts/operator.ts').OperatorAlerts;
  /** Metrics and traces (absent or disabled: nothing is observed). */
  telemetry?: Telemetry;
  db?: import('kysely').Kysely<import('../store/schema.ts').DB>; // the SQL store, for the admin API only (the proxy path reads caches)
}
