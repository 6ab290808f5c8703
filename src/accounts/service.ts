/**
 * Orgs, workspaces and API keys: the writes behind the CLI and admin API, and the reads the
 * gateway's in-memory caches load from. Every write records its audit entry and a change-log row
 * naming the changed row, in the same transaction. Never reaches into other domains' tables
 * except through their services (credits go through billing/ledger).
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DB, RowOf } from '../store/schema.ts';
import { newId } from '../core/ids.ts';
import { invalidRequest, notFound } from '../core/errors.ts';
import { recordChange } from '../store/change-log.ts';
import { SYSTEM, type Actor } from '../audit/actor.ts';
import { recordAudit } from '../audit/log.ts';
import { generateSecret, hashSecret, hintFor, type AdminScope, type KeyKind } from './keys.ts';
import { mergePolicy, parsePolicy, policyView, type ModelPolicy } from './policy.ts';
import type { Clock } from '../core/clock.ts';

export interface OrgRow {
  id: string;
  name: string;
  createdAt: number;
  billingMode: string;
  tierPinned: number | null;
  priceGroup: string | null;
  rateLimits: string | null;
}

/** What authentication needs about a key (the in-memory cache holds these). */
export interface AuthKey {
  id: string;
  orgId: string;
  workspaceId: string;
  kind: KeyKind;
  adminScope: AdminScope | null;
  expiresAt: number | null;
  revokedAt: number | null;
  rateLimits: string | null;
  /** Model policy (allowed models, max_tokens ceiling, timeout); null = none. */
  policy: ModelPolicy | null;
}

export interface KeyRecord extends AuthKey {
  name: string;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  createdBy: string | null;
}

const toKey = (r: Selectable<DB['api_keys']>): KeyRecord => ({
  id: r.id,
  orgId: r.org_id,
  workspaceId: r.workspace_id,
  name: r.name,
  hint: r.hint,
  kind: r.kind === 'admin' ? 'admin' : 'inference',
  adminScope: r.kind === 'admin' ? (r.admin_scope === 'workspace' ? 'workspace' : 'org') : null,
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at == null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at == null ? null : Number(r.revoked_at),
  lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
  rateLimits: r.rate_limits ?? null,
  createdBy: r.created_by ?? null,
  policy: parsePolicy(r.policy),
});
const toOrg = (r: RowOf<DB['orgs']>): OrgRow => ({
  id: r.id,
  name: r.name,
  createdAt: Number(r.created_at),
  billingMode: r.billing_mode,
  tierPinned: r.tier_pinned == null ? null : Number(r.tier_pinned),
  priceGroup: r.price_group ?? null,
  rateLimits: r.rate_limits ?? null,
});

const isoOrNull = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** A key as the audit log records it (never the secret or its hash). */
export const keyAuditView = (k: KeyRecord) => ({
  id: k.id,
  name: k.name,
  kind: k.kind,
  admin_scope: k.adminScope,
  workspace_id: k.workspaceId,
  hint: k.hint,
  expires_at: isoOrNull(k.expiresAt),
  revoked_at: isoOrNull(k.revokedAt),
  created_by: k.createdBy,
  rate_limits: k.rateLimits,
  policy: policyView(k.policy),
});
const orgAuditView = (o: OrgRow) => ({
  id: o.id,
  name: o.name,
  billing_mode: o.billingMode,
  tier_pinned: o.tierPinned,
  price_group: o.priceGroup,
  rate_limits: o.rateLimits,
});

export interface CreateKeyInput {
  orgId: string;
  workspaceId?: string;
  name?: string;
  expiresAt?: number | null;
  kind?: KeyKind;
  /** Admin keys: the whole org (default) or only `workspaceId`. */
  adminScope?: AdminScope;
  /** The admin key making this key; its reach bounds the new key's. */
  creator?: KeyRecord;
  /** Model policy (validated; see accounts/policy.ts). */
  policy?: PolicyPatch;
}

/** A change to a model policy: a value sets the field, null clears it, undefined keeps it. */
export interface PolicyPatch {
  models?: string[] | null;
  maxTokens?: number | null;
  maxTokensMode?: 'refuse' | 'clamp' | null;
  timeoutMs?: number | null;
}

const policyOrThrow = (cur: string | null, patch: PolicyPatch) => {
  try {
    return mergePolicy(cur, patch);
  } catch (e) {
    const issues = (e as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    throw invalidRequest(`invalid policy: ${issues ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (e as Error).message}`);
  }
};

export class AccountsService {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
    private actor: Actor = SYSTEM,
  ) {}

  async createOrg(input: {
    name: string;
    billingMode?: 'prepaid' | 'invoice';
    priceGroup?: string | null;
  }): Promise<{ org: OrgRow; defaultWorkspaceId: string }> {
    if (!input.name.trim()) throw invalidRequest('org name must not be empty');
    const id = newId('org');
    const wsId = newId('wrkspc');
    const t = this.clock.now();
    const row = {
      id,
      name: input.name,
      created_at: t,
      billing_mode: input.billingMode ?? 'prepaid',
      tier_pinned: null,
      rate_limits: null,
      price_group: input.priceGroup ?? null,
      external_id: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('orgs').values(row).execute();
      await trx.insertInto('workspaces').values({ id: wsId, org_id: id, name: 'Default', created_at: t, archived_at: null, rate_limits: null }).execute();
      await recordAudit(trx, this.actor, t, {
        orgId: id,
        action: 'org.create',
        targetType: 'org',
        targetId: id,
        after: { ...orgAuditView(toOrg(row)), default_workspace_id: wsId },
      });
      await recordChange(trx, 'orgs', t, id);
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

  async updateOrg(
    id: string,
    patch: { tierPinned?: number | null; rateLimits?: string | null; priceGroup?: string | null; billingMode?: string; name?: string },
  ): Promise<OrgRow> {
    const before = await this.requireOrg(id);
    const set: Updateable<DB['orgs']> = {};
    if (patch.tierPinned !== undefined) set.tier_pinned = patch.tierPinned;
    if (patch.rateLimits !== undefined) set.rate_limits = patch.rateLimits;
    if (patch.priceGroup !== undefined) set.price_group = patch.priceGroup;
    if (patch.billingMode !== undefined) set.billing_mode = patch.billingMode;
    if (patch.name !== undefined) set.name = patch.name;
    if (Object.keys(set).length) {
      const t = this.clock.now();
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('orgs').set(set).where('id', '=', id).execute();
        const after = toOrg(await trx.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
        const action = patch.tierPinned !== undefined && Object.keys(set).length === 1 ? 'org.tier' : 'org.update';
        await recordAudit(trx, this.actor, t, { orgId: id, action, targetType: 'org', targetId: id, before: orgAuditView(before), after: orgAuditView(after) });
        await recordChange(trx, 'orgs', t, id);
      });
    }
    return this.requireOrg(id);
  }

  async createWorkspace(orgId: string, name: string): Promise<{ id: string; orgId: string; name: string }> {
    await this.requireOrg(orgId);
    const id = newId('wrkspc');
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('workspaces').values({ id, org_id: orgId, name, created_at: t, archived_at: null, rate_limits: null }).execute();
      await recordAudit(trx, this.actor, t, { orgId, action: 'workspace.create', targetType: 'workspace', targetId: id, after: { id, name } });
      await recordChange(trx, 'orgs', t, orgId);
    });
    return { id, orgId, name };
  }

  async listWorkspaces(orgId: string) {
    return (await this.db.selectFrom('workspaces').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute()).map((w) => ({
      id: w.id,
      orgId: w.org_id,
      name: w.name,
      createdAt: Number(w.created_at),
      archivedAt: w.archived_at == null ? null : Number(w.archived_at),
      rateLimits: w.rate_limits,
      policy: parsePolicy(w.policy),
    }));
  }

  /** Sets a workspace's model policy (its keys obey it and their own); recorded in the audit log. */
  async setWorkspacePolicy(orgId: string, workspaceId: string, patch: PolicyPatch): Promise<{ id: string; orgId: string; policy: ModelPolicy | null }> {
    const w = await this.db.selectFrom('workspaces').select(['id', 'org_id', 'policy']).where('id', '=', workspaceId).executeTakeFirst();
    if (!w || w.org_id !== orgId) throw notFound(`workspace ${workspaceId} not found in org ${orgId}`);
    const next = policyOrThrow(w.policy ?? null, patch);
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('workspaces').set({ policy: next }).where('id', '=', workspaceId).execute();
      await recordAudit(trx, this.actor, t, {
        orgId,
        action: 'workspace.policy',
        targetType: 'workspace',
        targetId: workspaceId,
        before: { policy: policyView(parsePolicy(w.policy)) },
        after: { policy: policyView(parsePolicy(next)) },
      });
      await recordChange(trx, 'orgs', t, orgId);
    });
    return { id: workspaceId, orgId, policy: parsePolicy(next) };
  }

  /** Every workspace that has a model policy (the gateway keeps them in memory). */
  async workspacePolicies(): Promise<Map<string, ModelPolicy>> {
    const rows = await this.db.selectFrom('workspaces').select(['id', 'policy']).where('policy', 'is not', null).execute();
    const m = new Map<string, ModelPolicy>();
    for (const r of rows) {
      const p = parsePolicy(r.policy);
      if (p) m.set(r.id, p);
    }
    return m;
  }

  async defaultWorkspace(orgId: string): Promise<string> {
    const w = await this.db
      .selectFrom('workspaces')
      .select('id')
      .where('org_id', '=', orgId)
      .where('archived_at', 'is', null)
      .orderBy('created_at')
      .executeTakeFirst();
    if (!w) throw notFound(`org ${orgId} has no workspace`);
    return w.id;
  }

  /**
   * Creates a key; the secret is returned here once and never again. A key made by a
   * workspace-scoped admin key stays in that workspace, is at most a workspace-scoped admin key
   * itself, and cannot outlive its creator (expiry at most the creator's; revoking the creator
   * revokes it).
   */
  async createKey(input: CreateKeyInput): Promise<KeyRecord & { key: string }> {
    await this.requireOrg(input.orgId);
    const kind: KeyKind = input.kind ?? 'inference';
    let adminScope: AdminScope | null = kind === 'admin' ? (input.adminScope ?? 'org') : null;
    let workspaceId = input.workspaceId;
    let expiresAt = input.expiresAt ?? null;
    const c = input.creator;
    if (c) {
      if (c.kind !== 'admin' || c.orgId !== input.orgId) throw invalidRequest('only an admin key of this organization can create its keys');
      if (c.adminScope === 'workspace') {
        if (workspaceId !== undefined && workspaceId !== c.workspaceId) throw notFound(`workspace ${workspaceId} not found`);
        workspaceId = c.workspaceId;
        if (kind === 'admin') {
          if (input.adminScope === 'org') throw invalidRequest('a workspace admin key can only create keys confined to its workspace (admin_scope: workspace)');
          adminScope = 'workspace';
        }
        if (c.expiresAt != null) {
          if (expiresAt == null) expiresAt = c.expiresAt;
          else if (expiresAt > c.expiresAt)
            throw invalidRequest(`a key cannot outlive the key that creates it: expiry must be on or before ${new Date(c.expiresAt).toISOString()}`);
        }
      }
    }
    if (adminScope === 'workspace' && workspaceId === undefined) throw invalidRequest('a workspace admin key needs a workspace');
    workspaceId ??= await this.defaultWorkspace(input.orgId);
    const ws = await this.db.selectFrom('workspaces').select(['org_id', 'archived_at']).where('id', '=', workspaceId).executeTakeFirst();
    if (!ws || ws.org_id !== input.orgId) throw notFound(`workspace ${workspaceId} not found in org ${input.orgId}`);
    if (ws.archived_at != null) throw invalidRequest(`workspace ${workspaceId} is archived`);
    const policy = input.policy ? policyOrThrow(null, input.policy) : null;
    if (policy && kind === 'admin') throw invalidRequest('a model policy applies to inference keys, not admin keys');
    const secret = generateSecret(kind);
    const id = newId('apikey');
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id,
          org_id: input.orgId,
          workspace_id: workspaceId!,
          name: input.name ?? 'default',
          hash: hashSecret(secret),
          hint: hintFor(secret),
          created_at: t,
          expires_at: expiresAt,
          revoked_at: null,
          last_used_at: null,
          rate_limits: null,
          kind,
          admin_scope: adminScope,
          created_by: c?.id ?? null,
          policy,
        })
        .execute();
      const rec = toKey(await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      await recordAudit(trx, this.actor, t, { orgId: input.orgId, action: 'key.create', targetType: 'key', targetId: id, after: keyAuditView(rec) });
      await recordChange(trx, 'keys', t, id);
    });
    const rec = (await this.getKey(id))!;
    return { ...rec, key: secret };
  }

  async listKeys(orgId: string, opts: { workspaceId?: string } = {}): Promise<KeyRecord[]> {
    let q = this.db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId);
    if (opts.workspaceId) q = q.where('workspace_id', '=', opts.workspaceId);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toKey);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  /** The key behind a secret's hash (the gateway's cache miss path). */
  async keyByHash(hash: string): Promise<KeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return r && toKey(r);
  }

  /**
   * Revokes a key and, when it is a workspace-scoped admin key, every key it created (they cannot
   * outlive it), recursively. Returns the key itself (and the ids revoked with it).
   */
  async revokeKey(id: string): Promise<KeyRecord & { cascaded: string[] }> {
    const k = await this.getKey(id);
    if (!k) throw notFound(`key ${id} not found`);
    const t = this.clock.now();
    const cascaded: string[] = [];
    await this.db.transaction().execute(async (trx) => {
      const revoke = async (key: KeyRecord, via: string | null) => {
        if (key.revokedAt == null) {
          await trx.updateTable('api_keys').set({ revoked_at: t }).where('id', '=', key.id).where('revoked_at', 'is', null).execute();
          await recordAudit(trx, this.actor, t, {
            orgId: key.orgId,
            action: 'key.revoke',
            targetType: 'key',
            targetId: key.id,
            before: keyAuditView(key),
            after: { ...keyAuditView(key), revoked_at: isoOrNull(t), ...(via ? { revoked_with: via } : {}) },
          });
          await recordChange(trx, 'keys', t, key.id);
          if (via) cascaded.push(key.id);
        }
        if (key.kind === 'admin' && key.adminScope === 'workspace') {
          const children = (await trx.selectFrom('api_keys').selectAll().where('created_by', '=', key.id).execute()).map(toKey);
          for (const ch of children) await revoke(ch, via ?? key.id);
        }
      };
      await revoke(k, null);
    });
    return { ...(await this.getKey(id))!, cascaded };
  }

  async updateKey(id: string, patch: { rateLimits?: string | null; name?: string; policy?: PolicyPatch }): Promise<KeyRecord> {
    const k = await this.getKey(id);
    if (!k) throw notFound(`key ${id} not found`);
    const set: Updateable<DB['api_keys']> = {};
    if (patch.policy) {
      if (k.kind === 'admin') throw invalidRequest('a model policy applies to inference keys, not admin keys');
      const row = await this.db.selectFrom('api_keys').select('policy').where('id', '=', id).executeTakeFirst();
      set.policy = policyOrThrow(row?.policy ?? null, patch.policy);
    }
    if (patch.rateLimits !== undefined) set.rate_limits = patch.rateLimits;
    if (patch.name !== undefined) set.name = patch.name;
    if (!Object.keys(set).length) return k;
    const t = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('api_keys').set(set).where('id', '=', id).execute();
      const after = toKey(await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      await recordAudit(trx, this.actor, t, {
        orgId: k.orgId,
        action: 'key.update',
        targetType: 'key',
        targetId: id,
        before: keyAuditView(k),
        after: keyAuditView(after),
      });
      await recordChange(trx, 'keys', t, id);
    });
    return (await this.getKey(id))!;
  }

  /**
   * The keys that can authenticate now (not revoked, not expired), as the gateway's cache needs
   * them, one page at a time in id order (start-up). Revoked and expired keys are found by the
   * miss path if anyone presents them.
   */
  async loadKeysForCache(page: { after?: string; limit?: number } = {}): Promise<Array<AuthKey & { hash: string }>> {
    const t = this.clock.now();
    let q = this.db
      .selectFrom('api_keys')
      .select(['id', 'org_id', 'workspace_id', 'kind', 'admin_scope', 'expires_at', 'revoked_at', 'rate_limits', 'hash', 'policy'])
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', BigInt(t))]));
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    if (page.limit !== undefined) q = q.orderBy('id').limit(page.limit);
    return (await q.execute()).map((r) => ({ ...toAuthKey(r), hash: r.hash }));
  }

  /** Keys by id, as the cache needs them (an incremental reload: one query per batch of changes). */
  async authKeysByIds(ids: string[]): Promise<Array<AuthKey & { hash: string }>> {
    const out: Array<AuthKey & { hash: string }> = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('api_keys')
        .select(['id', 'org_id', 'workspace_id', 'kind', 'admin_scope', 'expires_at', 'revoked_at', 'rate_limits', 'hash', 'policy'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.push({ ...toAuthKey(r), hash: r.hash });
    }
    return out;
  }

  /** Orgs by id (an incremental reload). */
  async orgsByIds(ids: string[]): Promise<OrgRow[]> {
    if (!ids.length) return [];
    return (await this.db.selectFrom('orgs').selectAll().where('id', 'in', ids).execute()).map(toOrg);
  }

  /** One key by id, as the cache needs it (an incremental reload). */
  async authKeyById(id: string): Promise<(AuthKey & { hash: string }) | undefined> {
    const r = await this.db
      .selectFrom('api_keys')
      .select(['id', 'org_id', 'workspace_id', 'kind', 'admin_scope', 'expires_at', 'revoked_at', 'rate_limits', 'hash', 'policy'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r && { ...toAuthKey(r), hash: r.hash };
  }

  /** Batched last-used update (the gateway flushes these periodically, never per request). */
  async touchKeys(lastUsed: Map<string, number>): Promise<void> {
    for (const [id, at] of lastUsed) await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

function toAuthKey(
  r: RowOf<DB['api_keys'], 'id' | 'org_id' | 'workspace_id' | 'kind' | 'admin_scope' | 'expires_at' | 'revoked_at' | 'rate_limits' | 'policy'>,
): AuthKey {
  return {
    id: r.id,
    orgId: r.org_id,
    workspaceId: r.workspace_id,
    kind: r.kind === 'admin' ? 'admin' : 'inference',
    adminScope: r.kind === 'admin' ? (r.admin_scope === 'workspace' ? 'workspace' : 'org') : null,
    expiresAt: r.expires_at == null ? null : Number(r.expires_at),
    revokedAt: r.revoked_at == null ? null : Number(r.revoked_at),
    rateLimits: r.rate_limits ?? null,
    policy: parsePolicy(r.policy),
  };
}
