/** What every CLI command needs: the validated config and an open, migrated store. */
import { loadConfig, type Config } from '../config/config.ts';
import { openStore, type Store } from '../store/connect.ts';
import { migrate } from '../store/migrate.ts';
import { loadDefaultCatalog } from '../pricing/catalog/index.ts';
import { PricingService } from '../pricing/service.ts';

export interface CliContext { config: Config; store: Store; now: () => number }

export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    await migrate(store);
    const catalog = loadDefaultCatalog();
    await new PricingService(store.db, () => Date.now()).seedCatalog(catalog.prices, catalog.takenAt);
    return await fn({ config, store, now: () => Date.now() });
  } finally {
    await store.close();
  }
}
