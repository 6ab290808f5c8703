/** Model matching shared by the adapters: a listed id or alias serves the model, the map applies by id or alias. */
import type { RoutableModel, UpstreamConfig } from './types.ts';

/** True when `models` lists the model's id or one of its aliases. */
export function listsModel(models: readonly string[], m: RoutableModel): boolean {
  if (models.includes(m.id)) return true;
  for (const a of m.aliases) if (models.includes(a)) return true;
  return false;
}

/** The upstream id for a model: the map's entry for its id, else for an alias, else the id. */
export function mappedModel(cfg: UpstreamConfig, m: RoutableModel): string {
  const map = cfg.modelMap;
  if (!map) return m.id;
  const hit = map[m.id];
  if (hit !== undefined) return hit;
  for (const a of m.aliases) {
    const v = map[a];
    if (v !== undefined) return v;
  }
  return m.id;
}

/** The pool fields every adapter carries. */
export const poolFields = (cfg: UpstreamConfig, index: number) => ({
  priority: cfg.priority ?? index,
  weight: cfg.weight ?? 1,
  timeouts: cfg.timeouts ?? {},
});
