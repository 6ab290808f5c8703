/**
 * Link tokens (verification, password reset, invitation): `<kind>.<id>.<expiry ms>.<mac>` where
 * mac = HMAC-SHA-256(secret, "<kind>.<id>.<expiry>") in base64url. The signature makes forged or
 * edited tokens fail without a database read; single use is the `account_tokens` row (keyed by
 * the SHA-256 of the id), claimed with one conditional UPDATE so two concurrent uses cannot both
 * win.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { base62, sha256Hex } from '../core/ids.ts';
import { fail } from '../core/errors.ts';
import type { DB } from '../store/schema.ts';
import type { Clock } from '../core/clock.ts';

export type TokenKind = 'verify' | 'reset' | 'invite';
export const TOKEN_TTL_MS: Record<TokenKind, number> = { verify: 24 * 3600_000, reset: 30 * 60_000, invite: 7 * 24 * 3600_000 };

export const invalidToken = () => fail.invalid_token('This link is invalid or has expired. Ask for a new one.');

/** The server's HMAC secret: created at first start, shared by every instance through the database. */
export async function loadSecret(db: Kysely<DB>, name: string, now: number): Promise<Buffer> {
  await db
    .insertInto('account_secrets')
    .values({ name, value: randomBytes(32).toString('base64'), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('account_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}

export class LinkTokens {
  constructor(
    private db: Kysely<DB>,
    private secret: Buffer,
    private clock: Clock,
  ) {}

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  /** Issues a token and records it (unused). */
  async issue(
    kind: TokenKind,
    t: { userId?: string | null; invitationId?: string | null; emailNorm: string; ttlMs?: number },
    db: Kysely<DB> = this.db,
  ): Promise<{ token: string; expiresAt: number }> {
    const id = base62(32);
    const now = this.clock.now();
    const expiresAt = now + (t.ttlMs ?? TOKEN_TTL_MS[kind]);
    const body = `${kind}.${id}.${expiresAt}`;
    await db
      .insertInto('account_tokens')
      .values({
        id: sha256Hex(id),
        kind,
        user_id: t.userId ?? null,
        invitation_id: t.invitationId ?? null,
        email_norm: t.emailNorm,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
    return { token: `${body}.${this.mac(body)}`, expiresAt };
  }

  /** Checks signature, kind and expiry; returns the row without using it (400 invalid_token otherwise). */
  async peek(kind: TokenKind, token: unknown, db: Kysely<DB> = this.db) {
    if (typeof token !== 'string' || token.length > 200) throw invalidToken();
    const parts = token.split('.');
    if (parts.length !== 4) throw invalidToken();
    const [k, id, exp, mac] = parts as [string, string, string, string];
    const body = `${k}.${id}.${exp}`;
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw invalidToken();
    if (k !== kind || !/^\d{1,16}$/.test(exp) || Number(exp) <= this.clock.now()) throw invalidToken();
    const row = await db.selectFrom('account_tokens').selectAll().where('id', '=', sha256Hex(id)).executeTakeFirst();
    if (!row || row.kind !== kind || row.used_at != null || Number(row.expires_at) <= this.clock.now()) throw invalidToken();
    return row;
  }

  /** Checks the token and marks it used, atomically: a second use (even a concurrent one) is refused. */
  async consume(kind: TokenKind, token: unknown, db: Kysely<DB> = this.db) {
    const row = await this.peek(kind, token, db);
    const r = await db
      .updateTable('account_tokens')
      .set({ used_at: this.clock.now() })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) throw invalidToken();
    return row;
  }
}
