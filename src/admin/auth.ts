/**
 * Who is calling the admin API, and what they may touch.
 *
 *  - The operator presents `Authorization: Bearer <TOLLGATE_ADMIN_TOKEN>` and sees every org.
 *    The token is compared in constant time (SHA-256 of both sides, `timingSafeEqual`); with no
 *    admin token configured, operator access is disabled.
 *  - A tenant presents one of its org's API keys (`x-api-key` or `Authorization: Bearer`) and is
 *    scoped to that org: any other org's id, or an operator-only route, is a 403.
 *
 * Missing or invalid credentials are 401. A revoked or expired key is refused like on the proxy.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { keyFromHeaders } from '../accounts/keys.ts';
import { authenticationError, notFound, permissionError } from '../core/errors.ts';
import type { Runtime } from '../server/runtime.ts';
import { dbOf } from './respond.ts';

export type Caller =
  | { kind: 'operator' }
  | { kind: 'org'; orgId: string; keyId: string };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of the presented token and the configured admin token. */
export function isAdminToken(presented: string, configured: string | undefined): boolean {
  if (!configured) return false;
  return timingSafeEqual(digest(presented), digest(configured));
}

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1]!.trim() : undefined;
}

/** Resolves the caller from the request's headers; throws 401 when there is no valid credential. */
export function authenticateAdmin(rt: Runtime, req: IncomingMessage): Caller {
  const token = bearer(req);
  if (token !== undefined && isAdminToken(token, rt.config.adminToken)) return { kind: 'operator' };
  const secret = keyFromHeaders(req.headers);
  if (!secret) throw authenticationError('credentials required: send the admin token or an API key (Authorization: Bearer … or x-api-key)');
  const p = rt.keys.authenticate(secret, rt.clock.now());
  return { kind: 'org', orgId: p.org.id, keyId: p.key.id };
}

/** Operator-only routes (listing every org, granting credits). */
export function requireOperator(caller: Caller): void {
  if (caller.kind !== 'operator') throw permissionError('this endpoint needs the operator admin token');
}

/**
 * May this caller act on `orgId`? Tenants only on their own org (403 otherwise, without saying
 * whether the other org exists); the operator on any org that exists (404 otherwise).
 */
export async function requireOrgAccess(rt: Runtime, caller: Caller, orgId: string): Promise<void> {
  if (caller.kind === 'org') {
    if (caller.orgId !== orgId) throw permissionError('this API key belongs to another organization');
    return;
  }
  const org = await dbOf(rt).selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
  if (!org) throw notFound(`org ${orgId} not found`);
}
