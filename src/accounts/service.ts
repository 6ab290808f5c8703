/**
 * Orgs, workspaces and API keys: the writes behind the CLI and admin API, and the reads the
 * gateway's in-memory caches load from. Never reaches into other domains' tables except
 * through their services (credits go through billing/ledger).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import { newId } from '../core/ids.ts';
import { notFound, invalidRequest } from '../core/errors.ts';
import { recordChange } from '../store/change-log.ts';
import { generateSecret, hashSecret, hintFor } from './keys.ts';

export interface OrgRow { id: string; name: string; createdAt: number; billingMode: string; tierPinned: number | null; priceGroup: string | null; rateLimits: string | null }
export interface KeyRecord {
  id: string; orgId: string; workspaceId: string; name: string; hint: string;
  createdAt: number; expiresAt: number | null; revokedAt: number | null; lastUsedAt: number | null;
  rateLimits: string | null;
}

const toKey = (r: any): KeyRecord => ({
  id: r.id, orgId: r.org_id, workspaceId: r.workspace_id, name: r.name, hint: r.hint,
  createdAt: Number(r.created_at), expiresAt: r.expires_at == null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at == null ? null : Number(r.revoked_at), lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
  rateLimits: r.rate_limits ?? null,
});
const toOrg = (r: any): OrgRow => ({
  id: r.id, name: r.name, createdAt: Number(r.created_at), billingMode: r.billing_mode,
  tierPinned: r.tier_pinned == null ? null : Number(r.tier_pinned), priceGroup: r.price_group ?? null, rateLimits: r.rate_limits ?? null,
});

export class AccountsService {
  constructor(private db: Kysely<DB>, private now: () => number) {}

  async createOrg(input: { name: string; billingMode?: 'prepaid' | 'invoice'; priceGroup?: string | null }): Promise<{ org: OrgRow; defaultWorkspaceId: string }> {
    if (!input.name.trim()) throw invalidRequest('org name must not be empty');
    const id = newId('org');
    const wsId = newId('wrkspc');
    const t = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('orgs').values({ id, name: input.name, created_at: t, billing_mode: input.billingMode ?? 'prepaid', tier_pinned: null, rate_limits: null, price_group: input.priceGroup ?? null, external_id: null }).execute();
      await trx.insertInto('workspaces').values({ id: wsId, org_id: id, name: 'Default', created_at: t, archived_at: null, rate_limits: null }).execute();
      await recordChange(trx, 'orgs', t);
    });
    return { org: (await this.getOrg(id))!, defaultWorkspaceId: wsId };
  }

  async getOrg(id: string): Promise<OrgRow | undefined> {
    const r = await this.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toOrg(r);
  }

  async requireOrg(id: string): Promise<OrgRow> {
    const o = await this.getOrg(id);
    if (!o) throw notFound(`org ${id} not found`);
    return o;
  }

  async listOrgs(): Promise<OrgRow[]> {
    return (await this.db.selectFrom('orgs').selectAll().orderBy('created_at').execute()).map(toOrg);
  }

  async updateOrg(id: string, patch: { tierPinned?: number | null; rateLimits?: string | null; priceGroup?: string | null; billingMode?: string; name?: string }): Promise<OrgRow> {
    await this.requireOrg(id);
    const set: any = {};
    if (patch.tierPinned !== undefined) set.tier_pinned = patch.tierPinned;
    if (patch.rateLimits !== undefined) set.rate_limits = patch.rateLimits;
    if (patch.priceGroup !== undefined) set.price_group = patch.priceGroup;
    if (patch.billingMode !== undefined) set.billing_mode = patch.billingMode;
    if (patch.name !== undefined) set.name = patch.name;
    if (Object.keys(set).length) {
      await this.db.updateTable('orgs').set(set).where('id', '=', id).execute();
      await recordChange(this.db, 'orgs', this.now());
    }
    return this.requireOrg(id);
  }

  async createWorkspace(orgId: string, name: string): Promise<{ id: string; orgId: string; name: string }> {
    await this.requireOrg(orgId);
    const id = newId('wrkspc');
    await this.db.insertInto('workspaces').values({ id, org_id: orgId, name, created_at: this.now(), archived_at: null, rate_limits: null }).execute();
    await recordChange(this.db, 'orgs', this.now());
    return { id, orgId, name };
  }

  async listWorkspaces(orgId: string) {
    return (await this.db.selectFrom('workspaces').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute())
      .map((w) => ({ id: w.id, orgId: w.org_id, name: w.name, createdAt: Number(w.created_at), archivedAt: w.archived_at == null ? null : Number(w.archived_at), rateLimits: w.rate_limits }));
  }

  async defaultWorkspace(orgId: string): Promise<string> {
    const w = await this.db.selectFrom('workspaces').select('id').where('org_id', '=', orgId).where('archived_at', 'is', null).orderBy('created_at').executeTakeFirst();
    if (!w) throw notFound(`org ${orgId} has no workspace`);
    return w.id;
  }

  /** Creates a key; the secret is returned here once and never again. */
  async createKey(input: { orgId: string; workspaceId?: string; name?: string; expiresAt?: number | null }): Promise<KeyRecord & { key: string }> {
    await this.requireOrg(input.orgId);
    const workspaceId = input.workspaceId ?? (await this.defaultWorkspace(input.orgId));
    const ws = await this.db.selectFrom('workspaces').select(['org_id', 'archived_at']).where('id', '=', workspaceId).executeTakeFirst();
    if (!ws || ws.org_id !== input.orgId) throw notFound(`workspace ${workspaceId} not found in org ${input.orgId}`);
    if (ws.archived_at != null) throw invalidRequest(`workspace ${workspaceId} is archived`);
    const secret = generateSecret();
    const id = newId('apikey');
    const t = this.now();
    await this.db.insertInto('api_keys').values({
      id, org_id: input.orgId, workspace_id: workspaceId, name: input.name ?? 'default', hash: hashSecret(secret), hint: hintFor(secret),
      created_at: t, expires_at: input.expiresAt ?? null, revoked_at: null, last_used_at: null, rate_limits: null,
    }).execute();
    await recordChange(this.db, 'keys', t);
    const rec = toKey(await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    return { ...rec, key: secret };
  }

  async listKeys(orgId: string): Promise<KeyRecord[]> {
    return (await this.db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute()).map(toKey);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  async revokeKey(id: string): Promise<KeyRecord> {
    const k = await this.getKey(id);
    if (!k) throw notFound(`key ${id} not found`);
    if (k.revokedAt == null) {
      await this.db.updateTable('api_keys').set({ revoked_at: this.now() }).where('id', '=', id).execute();
      await recordChange(this.db, 'keys', this.now());
    }
    return (await this.getKey(id))!;
  }

  async updateKey(id: string, patch: { rateLimits?: string | null; name?: string }): Promise<KeyRecord> {
    const k = await this.getKey(id);
    if (!k) throw notFound(`key ${id} not found`);
    const set: any = {};
    if (patch.rateLimits !== undefined) set.rate_limits = patch.rateLimits;
    if (patch.name !== undefined) set.name = patch.name;
    await this.db.updateTable('api_keys').set(set).where('id', '=', id).execute();
    await recordChange(this.db, 'keys', this.now());
    return (await this.getKey(id))!;
  }

  /** Everything the gateway's key cache needs, keyed by secret hash. */
  async loadKeysForCache(): Promise<Array<KeyRecord & { hash: string }>> {
    return (await this.db.selectFrom('api_keys').selectAll().execute()).map((r) => ({ ...toKey(r), hash: r.hash }));
  }

  /** Batched last-used update (the gateway flushes these periodically, never per request). */
  async touchKeys(lastUsed: Map<string, number>): Promise<void> {
    for (const [id, at] of lastUsed) await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
