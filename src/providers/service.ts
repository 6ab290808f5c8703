/**
 * Operator-configured upstreams: stored with their API key sealed under the master key, never
 * returned or logged in the clear. The gateway loads them (after the env-configured ones) and
 * reloads them when the change log says `upstreams`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { invalidRequest, notFound } from '../core/errors.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { KNOWN_QUIRKS } from './openai/adapter.ts';
import type { UpstreamConfig } from './types.ts';

export const UPSTREAM_KINDS = ['anthropic', ...Object.keys(KNOWN_QUIRKS)] as const;

export interface UpstreamView { name: string; kind: string; base_url: string; has_key: boolean; models: string[] | '*'; model_map: Record<string, string> | null; priority: number }

export class UpstreamService {
  constructor(private db: Kysely<DB>, private box: SecretBox | undefined, private now: () => number) {}

  async add(u: { name: string; kind: string; baseUrl: string; apiKey?: string; models: string[] | '*'; modelMap?: Record<string, string> }): Promise<UpstreamView> {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(u.name)) throw invalidRequest('upstream name: lowercase letters, digits, - and _');
    if (!(UPSTREAM_KINDS as readonly string[]).includes(u.kind)) throw invalidRequest(`upstream kind must be one of ${UPSTREAM_KINDS.join(', ')}`);
    try { new URL(u.baseUrl); } catch { throw invalidRequest(`not a URL: ${u.baseUrl}`); }
    if (u.apiKey && !this.box) throw invalidRequest('storing an upstream API key needs TOLLGATE_MASTER_KEY (32 bytes, hex or base64)');
    const n = await this.db.selectFrom('upstreams').select('name').execute();
    const t = this.now();
    await this.db.insertInto('upstreams').values({
      name: u.name, kind: u.kind, base_url: u.baseUrl, api_key_sealed: u.apiKey ? this.box!.seal(u.apiKey) : null,
      models: JSON.stringify(u.models), model_map: u.modelMap ? JSON.stringify(u.modelMap) : null, priority: n.length, created_at: t,
    }).onConflict((oc) => oc.column('name').doUpdateSet({
      kind: u.kind, base_url: u.baseUrl, api_key_sealed: u.apiKey ? this.box!.seal(u.apiKey) : null, models: JSON.stringify(u.models), model_map: u.modelMap ? JSON.stringify(u.modelMap) : null,
    })).execute();
    await recordChange(this.db, 'upstreams', t);
    return (await this.list()).find((x) => x.name === u.name)!;
  }

  async list(): Promise<UpstreamView[]> {
    const rows = await this.db.selectFrom('upstreams').selectAll().orderBy('priority').execute();
    return rows.map((r) => ({ name: r.name, kind: r.kind, base_url: r.base_url, has_key: r.api_key_sealed !== null, models: JSON.parse(r.models), model_map: r.model_map ? JSON.parse(r.model_map) : null, priority: Number(r.priority) }));
  }

  async remove(name: string): Promise<void> {
    const r = await this.db.deleteFrom('upstreams').where('name', '=', name).executeTakeFirst();
    if (!r.numDeletedRows) throw notFound(`upstream ${name} not found`);
    await recordChange(this.db, 'upstreams', this.now());
  }

  /** Decrypted configs for the router (gateway only). */
  async loadConfigs(): Promise<UpstreamConfig[]> {
    const rows = await this.db.selectFrom('upstreams').selectAll().orderBy('priority').execute();
    return rows.map((r) => ({
      name: r.name, kind: r.kind, baseUrl: r.base_url, models: JSON.parse(r.models),
      ...(r.model_map ? { modelMap: JSON.parse(r.model_map) } : {}),
      ...(r.api_key_sealed ? { apiKey: this.box ? this.box.open(r.api_key_sealed) : undefined } : {}),
    }));
  }
}
