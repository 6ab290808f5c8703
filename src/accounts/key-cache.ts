/**
 * The gateway's in-memory view of API keys and orgs, so authentication costs one hash and one
 * Map lookup. Kept current incrementally: the change log names each changed key or org and only
 * that row is re-read (`applyChanges`), so a reload costs the same with 10 or 10 million keys.
 * A secret that is not in the map (a key created a moment ago, possibly on another instance) is
 * looked up once in the database before it is refused; misses are remembered briefly (a negative
 * cache) so that garbage keys cannot hammer the database, and concurrent misses for one secret
 * share a single lookup. Secrets that do not have the shape of an issued key are refused without
 * a lookup.
 *
 * Memory: the map is keyed by the raw 32-byte digest as a one-byte string, and the per-key record
 * holds only what admission needs (ids are interned per org and workspace).
 */
import { hash } from 'node:crypto';
import { authenticationError, permissionError, serviceUnavailable } from '../core/errors.ts';
import type { Change } from '../store/change-log.ts';
import { isWellFormedSecret } from './keys.ts';
import type { AccountsService, AuthKey, OrgRow } from './service.ts';
import { type Clock, systemClock } from '../core/clock.ts';

export interface Principal {
  key: AuthKey;
  org: OrgRow;
}

/** The map key for a secret: its SHA-256 as a 32-character latin1 string. */
const digest = (secret: string) => hash('sha256', secret, 'binary');
const fromHex = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
const toHex = (d: string) => Buffer.from(d, 'latin1').toString('hex');

export interface KeyCacheOptions {
  /** How long an unknown secret is refused without asking the database again (ms). */
  negativeTtlMs?: number;
  /** Most unknown secrets remembered at once (oldest forgotten first). */
  negativeMax?: number;
  clock?: Clock;
}

export class KeyCache {
  private byHash = new Map<string, AuthKey>();
  private orgs = new Map<string, OrgRow>();
  private lastUsed = new Map<string, number>();
  private negative = new Map<string, number>();
  private inflight = new Map<string, Promise<AuthKey | undefined>>();
  private interned = new Map<string, string>();
  private negativeTtlMs: number;
  private negativeMax: number;
  private clock: Clock;

  constructor(
    private accounts: AccountsService,
    opts: KeyCacheOptions = {},
  ) {
    this.negativeTtlMs = opts.negativeTtlMs ?? 2000;
    this.negativeMax = opts.negativeMax ?? 50_000;
    this.clock = opts.clock ?? systemClock;
  }

  get size(): number {
    return this.byHash.size;
  }

  /**
   * Start-up: loads the keys that can authenticate, a page at a time, into the live map without
   * replacing anything already there (a key put or looked up meanwhile is newer than the page).
   * The gateway serves while this runs: a key not loaded yet takes the miss path.
   */
  async warm(pageSize = 20_000): Promise<number> {
    this.orgs = new Map((await this.accounts.listOrgs()).map((o) => [o.id, o]));
    let after: string | undefined;
    let n = 0;
    for (;;) {
      const page = await this.accounts.loadKeysForCache({ after, limit: pageSize });
      for (const k of page) {
        const d = fromHex(k.hash);
        if (!this.byHash.has(d)) this.byHash.set(d, this.compact(k));
      }
      n += page.length;
      if (page.length < pageSize) return n;
      after = page[page.length - 1]!.id;
      await new Promise<void>((r) => setImmediate(r)); // let requests through between pages
    }
  }

  /** Loads every key and org, replacing what is in memory (tests: `gateway.refresh()`). */
  async reload(): Promise<void> {
    const [keys, orgs] = await Promise.all([this.accounts.loadKeysForCache(), this.accounts.listOrgs()]);
    const byHash = new Map<string, AuthKey>();
    for (const k of keys) byHash.set(fromHex(k.hash), this.compact(k));
    this.byHash = byHash;
    this.orgs = new Map(orgs.map((o) => [o.id, o]));
    this.negative.clear();
  }

  /** Applies change-log rows: re-reads each named key or org; a row without a ref reloads its domain. */
  async applyChanges(changes: Change[]): Promise<void> {
    const keyIds = new Set<string>();
    const orgIds = new Set<string>();
    let all = false;
    for (const c of changes) {
      if (c.what !== 'keys' && c.what !== 'orgs') continue;
      if (c.ref == null) {
        all = true;
        continue;
      }
      (c.what === 'keys' ? keyIds : orgIds).add(c.ref);
    }
    if (all) return this.reload();
    // One query for the orgs and one for the keys of the whole batch, however many there are.
    if (orgIds.size) for (const o of await this.accounts.orgsByIds([...orgIds])) this.orgs.set(o.id, o);
    if (keyIds.size) for (const k of await this.accounts.authKeysByIds([...keyIds])) this.put(k);
  }

  /** Stores a key row read from the database (a write on this instance, or a reload). */
  put(k: AuthKey & { hash: string }): void {
    const d = fromHex(k.hash);
    this.byHash.set(d, this.compact(k));
    this.negative.delete(d);
  }

  async reloadOrg(id: string): Promise<OrgRow | undefined> {
    const o = await this.accounts.getOrg(id);
    if (o) this.orgs.set(o.id, o);
    else this.orgs.delete(id);
    return o;
  }

  org(id: string): OrgRow | undefined {
    return this.orgs.get(id);
  }

  /**
   * Authenticates a presented secret at time `now`; throws 401 for missing, malformed, unknown,
   * revoked or expired keys. Synchronous when the key is in memory (the hot path); a promise when
   * the database must be asked.
   */
  authenticate(secret: string | undefined, now: number): Principal | Promise<Principal> {
    if (!secret) throw authenticationError('x-api-key header is required');
    if (!isWellFormedSecret(secret)) throw authenticationError('invalid x-api-key');
    const d = digest(secret);
    const key = this.byHash.get(d);
    if (key) return this.admit(key, now);
    return this.miss(d, now);
  }

  private admit(key: AuthKey, now: number): Principal | Promise<Principal> {
    if (key.revokedAt != null && key.revokedAt <= now) throw authenticationError('this API key has been revoked');
    if (key.expiresAt != null && key.expiresAt <= now) throw authenticationError('this API key has expired');
    const org = this.orgs.get(key.orgId);
    if (!org) return this.withOrg(key, now);
    this.lastUsed.set(key.id, now);
    return { key, org };
  }

  private async withOrg(key: AuthKey, now: number): Promise<Principal> {
    const org = await this.reloadOrg(key.orgId).catch((e) => {
      throw serviceUnavailable('The key store is unavailable; retry shortly', { cause: e });
    });
    if (!org) throw permissionError('the organization of this API key no longer exists');
    this.lastUsed.set(key.id, now);
    return { key, org };
  }

  private async miss(d: string, now: number): Promise<Principal> {
    const until = this.negative.get(d);
    const t = this.clock.now();
    if (until !== undefined) {
      if (until > t) throw authenticationError('invalid x-api-key');
      this.negative.delete(d);
    }
    let p = this.inflight.get(d);
    if (!p) {
      p = this.lookup(d).finally(() => this.inflight.delete(d));
      this.inflight.set(d, p);
    }
    const key = await p;
    if (!key) throw authenticationError('invalid x-api-key');
    return this.admit(key, now);
  }

  private async lookup(d: string): Promise<AuthKey | undefined> {
    let row: Awaited<ReturnType<AccountsService['keyByHash']>>;
    try {
      row = await this.accounts.keyByHash(toHex(d));
    } catch (e) {
      throw serviceUnavailable('The key store is unavailable; retry shortly', { cause: e });
    }
    // A reload that ran meanwhile has the newer row (e.g. a revocation): keep it.
    const known = this.byHash.get(d);
    if (known) return known;
    if (!row) {
      if (this.negative.size >= this.negativeMax) {
        for (const k of this.negative.keys()) {
          this.negative.delete(k);
          if (this.negative.size < this.negativeMax * 0.9) break;
        }
      }
      this.negative.set(d, this.clock.now() + this.negativeTtlMs);
      return undefined;
    }
    const key = this.compact(row);
    this.byHash.set(d, key);
    return key;
  }

  private intern(s: string): string {
    const v = this.interned.get(s);
    if (v !== undefined) return v;
    this.interned.set(s, s);
    return s;
  }

  private compact(k: AuthKey): AuthKey {
    return {
      id: k.id,
      orgId: this.intern(k.orgId),
      workspaceId: this.intern(k.workspaceId),
      kind: k.kind,
      adminScope: k.adminScope,
      expiresAt: k.expiresAt,
      revokedAt: k.revokedAt,
      rateLimits: k.rateLimits,
      policy: k.policy,
    };
  }

  /** Drains the pending last-used times (flushed to the database in a batch). */
  takeLastUsed(): Map<string, number> {
    const m = this.lastUsed;
    this.lastUsed = new Map();
    return m;
  }
}
