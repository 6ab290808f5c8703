/**
 * Routes a model to the upstream that serves it and owns one keep-alive undici Pool per origin.
 */
import { Pool } from 'undici';
import type { CatalogModel } from '../pricing/types.ts';
import { anthropicAdapter } from './anthropic/adapter.ts';
import { openaiAdapter } from './openai/adapter.ts';
import type { UpstreamAdapter, UpstreamConfig } from './types.ts';

export function adapterFor(cfg: UpstreamConfig): UpstreamAdapter {
  return cfg.kind === 'anthropic' ? anthropicAdapter(cfg) : openaiAdapter(cfg);
}

export class UpstreamRouter {
  private pools = new Map<string, Pool>();
  private adapters: UpstreamAdapter[];

  constructor(configs: UpstreamConfig[]) {
    this.adapters = configs.map(adapterFor);
  }

  get upstreams(): readonly UpstreamAdapter[] {
    return this.adapters;
  }

  setUpstreams(configs: UpstreamConfig[]): void {
    this.adapters = configs.map(adapterFor);
  }

  /** The first configured upstream that serves the model (configuration order = priority). */
  route(model: CatalogModel): UpstreamAdapter | undefined {
    for (const a of this.adapters) if (a.serves(model.id, model.provider)) return a;
    return undefined;
  }

  pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 600_000, bodyTimeout: 300_000 });
      this.pools.set(origin, p);
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => {})));
    this.pools.clear();
  }
}
