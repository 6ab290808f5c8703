/** The billing runtime for one CLI command (the same services the gateway runs, on the command's store). */
import { AlertService } from '../billing/alerts/service.ts';
import { BillingRuntime } from '../billing/runtime.ts';
import { createLogger } from '../core/logger.ts';
import type { CliContext } from './context.ts';

export function cliBilling({ config, store, clock }: CliContext): BillingRuntime {
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, undefined);
  return new BillingRuntime({
    config,
    db: store.db,
    clock,
    log,
    baseUrl: `http://${config.host}:${config.port}`,
    alerts: new AlertService(store.db, { clock, log, smtp: config.smtp }),
  });
}
