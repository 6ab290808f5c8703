/**
 * The append-only audit log (table `audit_log`, migration 022): every change to orgs, keys,
 * limits, credits, prices, upstreams, tiers and alert channels, with who made it, before and
 * after, and when. Writers call `recordAudit` inside the transaction of the change itself, so a
 * change and its audit row land together or not at all. Secrets are never recorded: callers pass
 * views (key hints, `has_key`), never secret material.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.ts';
import type { Actor } from './actor.ts';

export interface AuditChange {
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: string;
  at: number;
  orgId: string | null;
  actor: { kind: string; id: string };
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  clientIp: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

export async function recordAudit(db: Kysely<DB>, actor: Actor, at: number, c: AuditChange): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      org_id: c.orgId,
      actor_kind: actor.kind,
      actor_id: actor.id,
      action: c.action,
      target_type: c.targetType,
      target_id: c.targetId,
      before: json(c.before),
      after: json(c.after),
      request_id: actor.requestId ?? null,
      client_ip: actor.clientIp ?? null,
    })
    .execute();
}

const parse = (s: string | null) => {
  if (s == null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

export interface AuditQuery {
  /** One org's entries; undefined = every entry (operator). */
  orgId?: string;
  /** Entries with an id below this (pagination, newest first). */
  before?: bigint;
  limit?: number;
}

/** Newest first. */
export async function listAudit(db: Kysely<DB>, q: AuditQuery = {}): Promise<AuditEntry[]> {
  let s = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(q.limit ?? 100, 1), 1000));
  if (q.orgId !== undefined) s = s.where('org_id', '=', q.orgId);
  if (q.before !== undefined) s = s.where('id', '<', q.before);
  return (await s.execute()).map((r) => ({
    id: String(r.id),
    at: Number(r.at),
    orgId: r.org_id,
    actor: { kind: r.actor_kind, id: r.actor_id },
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    before: parse(r.before),
    after: parse(r.after),
    requestId: r.request_id,
    clientIp: r.client_ip,
  }));
}
