/** What every CLI command needs: the validated config and an open, migrated store. */
import { loadConfig, type Config } from '../config/config.ts';
import { openStore, type Store } from '../store/connect.ts';
import { migrate } from '../store/migrate.ts';
import { loadDefaultCatalog } from '../pricing/catalog/index.ts';
import { PricingService } from '../pricing/service.ts';
import { cliActor, type Actor } from '../audit/actor.ts';
import { type Clock, systemClock } from '../core/clock.ts';

/** `actor` is who the audit log records for changes made by this command: the OS user. */
export interface CliContext {
  config: Config;
  store: Store;
  clock: Clock;
  actor: Actor;
}

export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    await migrate(store);
    const catalog = loadDefaultCatalog();
    await new PricingService(store.db, systemClock).seedCatalog(catalog.prices, catalog.takenAt, catalog.extraRows);
    return await fn({ config, store, clock: systemClock, actor: cliActor() });
  } finally {
    await store.close();
  }
}
