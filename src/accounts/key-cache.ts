/**
 * The gateway's in-memory view of API keys and orgs, so authentication costs one hash and one
 * Map lookup. Reloaded whenever the change log says keys or orgs changed.
 */
import { authenticationError, permissionError } from '../core/errors.ts';
import { hashSecret } from './keys.ts';
import type { AccountsService, KeyRecord, OrgRow } from './service.ts';

export interface Principal {
  key: KeyRecord;
  org: OrgRow;
}

export class KeyCache {
  private byHash = new Map<string, KeyRecord>();
  private orgs = new Map<string, OrgRow>();
  private lastUsed = new Map<string, number>();

  constructor(private accounts: AccountsService) {}

  async reload(): Promise<void> {
    const [keys, orgs] = await Promise.all([this.accounts.loadKeysForCache(), this.accounts.listOrgs()]);
    const byHash = new Map<string, KeyRecord>();
    for (const k of keys) byHash.set(k.hash, k);
    this.byHash = byHash;
    this.orgs = new Map(orgs.map((o) => [o.id, o]));
  }

  org(id: string): OrgRow | undefined {
    return this.orgs.get(id);
  }

  /** Authenticates a presented secret at time `now`; throws 401 for missing/unknown/revoked/expired keys. */
  authenticate(secret: string | undefined, now: number): Principal {
    if (!secret) throw authenticationError('x-api-key header is required');
    const key = this.byHash.get(hashSecret(secret));
    if (!key) throw authenticationError('invalid x-api-key');
    if (key.revokedAt != null && key.revokedAt <= now) throw authenticationError('this API key has been revoked');
    if (key.expiresAt != null && key.expiresAt <= now) throw authenticationError('this API key has expired');
    const org = this.orgs.get(key.orgId);
    if (!org) throw permissionError('the organization of this API key no longer exists');
    this.lastUsed.set(key.id, now);
    return { key, org };
  }

  /** Drains the pending last-used times (flushed to the database in a batch). */
  takeLastUsed(): Map<string, number> {
    const m = this.lastUsed;
    this.lastUsed = new Map();
    return m;
  }
}
