/**
 * Operator-configured upstreams: stored with their API key sealed under the master key and bound
 * to the row (AES-GCM associated data over name, kind and base URL: a ciphertext copied into a
 * row that points elsewhere does not open), never returned or logged in the clear. The gateway
 * loads them (after the env-configured ones) and reloads them when the change log says
 * `upstreams`; it refuses to start when sealed keys exist that it cannot open.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../store/schema.ts';
import { recordChange } from '../store/change-log.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { invalidRequest, notFound } from '../core/errors.ts';
import { rowBinding, SecretBoxError, type SecretBox } from '../core/secret-box.ts';
import { KNOWN_QUIRKS } from './openai/adapter.ts';
import type { UpstreamConfig, UpstreamTimeouts } from './types.ts';
import type { Clock } from '../core/clock.ts';

export const UPSTREAM_KINDS = ['anthropic', ...Object.keys(KNOWN_QUIRKS)] as const;

export interface UpstreamView {
  name: string;
  kind: string;
  base_url: string;
  has_key: boolean;
  models: string[] | '*';
  model_map: Record<string, string> | null;
  priority: number;
  weight: number;
  timeouts: UpstreamTimeouts | null;
}

/** The associated data an upstream's key is sealed with. */
export const upstreamBinding = (name: string, kind: string, baseUrl: string) => rowBinding('upstream', name, kind, baseUrl);

const view = (r: Selectable<DB['upstreams']>): UpstreamView => ({
  name: r.name,
  kind: r.kind,
  base_url: r.base_url,
  has_key: r.api_key_sealed !== null,
  models: JSON.parse(r.models),
  model_map: r.model_map ? JSON.parse(r.model_map) : null,
  priority: Number(r.priority),
  weight: Number(r.weight ?? 1),
  timeouts: r.timeouts ? JSON.parse(r.timeouts) : null,
});

export class UpstreamService {
  constructor(
    private db: Kysely<DB>,
    private box: SecretBox | undefined,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  /**
   * Adds or replaces an upstream. Without `apiKey`, an existing upstream keeps its key; moving a
   * kept key to another base URL or kind needs `keepKey` (the key would go somewhere new).
   */
  async add(u: {
    name: string;
    kind: string;
    baseUrl: string;
    apiKey?: string;
    keepKey?: boolean;
    models: string[] | '*';
    modelMap?: Record<string, string>;
    priority?: number;
    weight?: number;
    timeouts?: UpstreamTimeouts;
  }): Promise<UpstreamView> {
    if (u.priority !== undefined && !(Number.isInteger(u.priority) && u.priority >= 0 && u.priority <= 1_000_000))
      throw invalidRequest('priority: a whole number from 0 (tried first) to 1000000');
    if (u.weight !== undefined && !(Number.isInteger(u.weight) && u.weight >= 1 && u.weight <= 1_000_000))
      throw invalidRequest('weight: a whole number from 1 to 1000000');
    for (const [k, v] of Object.entries(u.timeouts ?? {}))
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalidRequest(`timeouts.${k}: a positive number of milliseconds`);
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(u.name)) throw invalidRequest('upstream name: lowercase letters, digits, - and _');
    if (!(UPSTREAM_KINDS as readonly string[]).includes(u.kind)) throw invalidRequest(`upstream kind must be one of ${UPSTREAM_KINDS.join(', ')}`);
    let url: URL;
    try {
      url = new URL(u.baseUrl);
    } catch {
      throw invalidRequest(`not a URL: ${u.baseUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidRequest('the base URL must be http:// or https://');
    if (u.apiKey && !this.box) throw invalidRequest('storing an upstream API key needs TOLLGATE_MASTER_KEY (32 bytes, hex or base64)');
    const t = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('upstreams').selectAll().where('name', '=', u.name).executeTakeFirst();
      let sealed: string | null = null;
      if (u.apiKey) sealed = this.box!.seal(u.apiKey, upstreamBinding(u.name, u.kind, u.baseUrl));
      else if (cur?.api_key_sealed) {
        const moved = cur.kind !== u.kind || cur.base_url !== u.baseUrl;
        if (!moved) sealed = cur.api_key_sealed;
        else {
          if (!u.keepKey)
            throw invalidRequest(
              `upstream ${u.name} has a key and this changes where it is sent (${cur.base_url} → ${u.baseUrl}); give --api-key again, or --keep-key to send the stored key to the new address`,
            );
          if (!this.box) throw invalidRequest('re-sealing the stored key needs TOLLGATE_MASTER_KEY');
          sealed = this.box.seal(
            this.box.open(cur.api_key_sealed, upstreamBinding(cur.name, cur.kind, cur.base_url)),
            upstreamBinding(u.name, u.kind, u.baseUrl),
          );
        }
      }
      const priority = u.priority ?? (cur ? cur.priority : (await trx.selectFrom('upstreams').select('name').execute()).length);
      const weight = u.weight ?? (cur ? cur.weight : 1);
      const timeouts = u.timeouts && Object.keys(u.timeouts).length ? JSON.stringify(u.timeouts) : (cur?.timeouts ?? null);
      const row = {
        name: u.name,
        kind: u.kind,
        base_url: u.baseUrl,
        api_key_sealed: sealed,
        models: JSON.stringify(u.models),
        model_map: u.modelMap ? JSON.stringify(u.modelMap) : null,
        priority,
        weight,
        timeouts,
      };
      await trx
        .insertInto('upstreams')
        .values({ ...row, created_at: t })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute();
      const after = view(await trx.selectFrom('upstreams').selectAll().where('name', '=', u.name).executeTakeFirstOrThrow());
      await recordAudit(trx, this.actor, t, {
        orgId: null,
        action: cur ? 'upstream.update' : 'upstream.add',
        targetType: 'upstream',
        targetId: u.name,
        before: cur ? { ...view(cur), key_replaced: Boolean(u.apiKey) && cur.api_key_sealed !== null } : undefined,
        after,
      });
      await recordChange(trx, 'upstreams', t);
      return after;
    });
  }

  async list(): Promise<UpstreamView[]> {
    return (await this.db.selectFrom('upstreams').selectAll().orderBy('priority').execute()).map(view);
  }

  async remove(name: string): Promise<void> {
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('upstreams').selectAll().where('name', '=', name).executeTakeFirst();
      if (!cur) throw notFound(`upstream ${name} not found`);
      await trx.deleteFrom('upstreams').where('name', '=', name).execute();
      await recordAudit(trx, this.actor, t, { orgId: null, action: 'upstream.remove', targetType: 'upstream', targetId: name, before: view(cur) });
      await recordChange(trx, 'upstreams', t);
    });
  }

  /**
   * Start-up: re-seals keys sealed before row binding (v1) as v2, then checks that every sealed
   * key opens. Throws (naming the upstream) when keys are sealed and the master key is missing or
   * does not open them: the gateway must not call upstreams without their credentials.
   */
  async prepare(): Promise<{ resealed: number }> {
    const rows = await this.db.selectFrom('upstreams').selectAll().where('api_key_sealed', 'is not', null).execute();
    if (rows.length && !this.box)
      throw new SecretBoxError(
        `${rows.length} upstream key(s) are sealed in the database (${rows.map((r) => r.name).join(', ')}) but TOLLGATE_MASTER_KEY is not set`,
      );
    let resealed = 0;
    for (const r of rows) {
      const binding = upstreamBinding(r.name, r.kind, r.base_url);
      try {
        if (r.api_key_sealed!.startsWith('v1:')) {
          const plain = this.box!.openLegacy(r.api_key_sealed!);
          await this.db
            .updateTable('upstreams')
            .set({ api_key_sealed: this.box!.seal(plain, binding) })
            .where('name', '=', r.name)
            .execute();
          resealed++;
        } else this.box!.open(r.api_key_sealed!, binding);
      } catch (e) {
        throw new SecretBoxError(`TOLLGATE_MASTER_KEY does not open the sealed key of upstream ${r.name}: ${(e as Error).message}`);
      }
    }
    if (resealed) {
      await recordAudit(this.db, this.actor, this.clock.now(), {
        orgId: null,
        action: 'upstream.reseal',
        targetType: 'upstream',
        targetId: '*',
        after: { resealed },
      });
      await recordChange(this.db, 'upstreams', this.clock.now());
    }
    return { resealed };
  }

  /** Decrypted configs for the router (gateway only). Throws SecretBoxError when a key does not open. */
  async loadConfigs(): Promise<UpstreamConfig[]> {
    const rows = await this.db.selectFrom('upstreams').selectAll().orderBy('priority').execute();
    return rows.map((r) => {
      let apiKey: string | undefined;
      if (r.api_key_sealed) {
        if (!this.box) throw new SecretBoxError(`upstream ${r.name} has a sealed key but TOLLGATE_MASTER_KEY is not set`);
        try {
          apiKey = this.box.open(r.api_key_sealed, upstreamBinding(r.name, r.kind, r.base_url));
        } catch (e) {
          throw new SecretBoxError(`the sealed key of upstream ${r.name} does not open: ${(e as Error).message}`);
        }
      }
      return {
        name: r.name,
        kind: r.kind,
        baseUrl: r.base_url,
        models: JSON.parse(r.models),
        ...(r.model_map ? { modelMap: JSON.parse(r.model_map) } : {}),
        ...(apiKey !== undefined ? { apiKey } : {}),
        priority: Number(r.priority),
        weight: Number(r.weight ?? 1),
        ...(r.timeouts ? { timeouts: JSON.parse(r.timeouts) as UpstreamTimeouts } : {}),
      };
    });
  }
}
