/**
 * The model registry: catalog models plus operator-imported models, resolvable by id or alias.
 */
import type { CatalogModel } from './types.ts';

export class ModelRegistry {
  private byName = new Map<string, CatalogModel>();
  readonly all: CatalogModel[];

  constructor(models: CatalogModel[], aliases: Map<string, string> = new Map(), extraIds: string[] = []) {
    const all = [...models];
    const known = new Set(models.map((m) => m.id));
    for (const id of extraIds)
      if (!known.has(id)) {
        all.push({ id, provider: 'custom', aliases: [], rateClass: 'default' });
        known.add(id);
      }
    this.all = all;
    for (const m of all) this.byName.set(m.id, m);
    for (const m of all) for (const a of m.aliases) if (!this.byName.has(a)) this.byName.set(a, m);
    for (const [alias, id] of aliases) {
      const m = this.byName.get(id);
      if (m) this.byName.set(alias, m);
    }
  }

  resolve(name: string): CatalogModel | undefined {
    return this.byName.get(name);
  }
}
