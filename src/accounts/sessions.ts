/**
 * Console sessions. The cookie carries a random 32-byte token; the database keeps its SHA-256
 * only, so a leaked table cannot be replayed. A session is created fresh at every login (the
 * id is never carried over), lives `sessionDays`, and is revoked one at a time, all at once
 * ("log out everywhere") or by a password reset. The CSRF token is an HMAC of the session token:
 * nothing to store, and it dies with the session.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId, sha256Hex } from '../core/ids.ts';
import type { DB, RowOf } from '../store/schema.ts';
import type { Clock } from '../core/clock.ts';

export interface SessionRow {
  id: string;
  publicId: string;
  userId: string | null;
  operator: boolean;
  currentOrgId: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  clientIp: string | null;
  userAgent: string | null;
}

const toSession = (r: RowOf<DB['sessions']>): SessionRow => ({
  id: r.id,
  publicId: r.public_id,
  userId: r.user_id ?? null,
  operator: Number(r.operator) === 1,
  currentOrgId: r.current_org_id ?? null,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  clientIp: r.client_ip ?? null,
  userAgent: r.user_agent ?? null,
});

/** last_seen_at is written at most this often per session. */
const TOUCH_MS = 60_000;

export class Sessions {
  constructor(
    private db: Kysely<DB>,
    private secret: Buffer,
    private clock: Clock,
    private ttlMs: number,
  ) {}

  /** A new session; returns the cookie value (the only time it exists outside the client). */
  async create(s: {
    userId: string | null;
    operator: boolean;
    currentOrgId: string | null;
    clientIp?: string;
    userAgent?: string;
  }): Promise<{ token: string; session: SessionRow }> {
    const token = randomBytes(32).toString('base64url');
    const t = this.clock.now();
    const row = {
      id: sha256Hex(token),
      public_id: newId('sess'),
      user_id: s.userId,
      operator: s.operator ? 1 : 0,
      current_org_id: s.currentOrgId,
      created_at: t,
      last_seen_at: t,
      expires_at: t + this.ttlMs,
      revoked_at: null,
      client_ip: s.clientIp?.slice(0, 64) ?? null,
      user_agent: s.userAgent?.slice(0, 256) ?? null,
    };
    await this.db.insertInto('sessions').values(row).execute();
    return { token, session: toSession(row) };
  }

  /** The live session behind a cookie value, or undefined (unknown, revoked or expired). */
  async lookup(token: string | undefined): Promise<SessionRow | undefined> {
    if (!token || token.length > 100) return undefined;
    const r = await this.db.selectFrom('sessions').selectAll().where('id', '=', sha256Hex(token)).executeTakeFirst();
    const t = this.clock.now();
    if (!r || r.revoked_at != null || Number(r.expires_at) <= t) return undefined;
    const s = toSession(r);
    if (t - s.lastSeenAt > TOUCH_MS) {
      await this.db.updateTable('sessions').set({ last_seen_at: t }).where('id', '=', s.id).execute();
      s.lastSeenAt = t;
    }
    return s;
  }

  csrfFor(token: string): string {
    return createHmac('sha256', this.secret)
      .update(`csrf:${sha256Hex(token)}`)
      .digest('base64url');
  }

  checkCsrf(token: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const want = Buffer.from(this.csrfFor(token));
    const got = Buffer.from(presented);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  async setOrg(id: string, orgId: string | null): Promise<void> {
    await this.db.updateTable('sessions').set({ current_org_id: orgId }).where('id', '=', id).execute();
  }

  async revoke(id: string): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  /** Revokes a user's session by its public id (their own only); false when there is none. */
  async revokePublic(userId: string, publicId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ revoked_at: this.clock.now() })
      .where('public_id', '=', publicId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  /** Revokes every live session of a user (optionally sparing one); returns how many. */
  async revokeAll(userId: string, except?: string): Promise<number> {
    let q = this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (except) q = q.where('id', '!=', except);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /** Sessions in an org leave it (the member was removed): they fall back to no current org. */
  async leaveOrg(userId: string, orgId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ current_org_id: null }).where('user_id', '=', userId).where('current_org_id', '=', orgId).execute();
  }

  async list(userId: string): Promise<SessionRow[]> {
    const t = this.clock.now();
    return (
      await this.db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', BigInt(t))
        .orderBy('created_at', 'desc')
        .execute()
    ).map(toSession);
  }
}
