/**
 * Who is calling the admin API, and what they may touch.
 *
 *  - The operator presents `Authorization: Bearer <TOLLGATE_ADMIN_TOKEN>` and sees every org.
 *    The token is compared in constant time (SHA-256 of both sides, `timingSafeEqual`); with no
 *    admin token configured, operator access is disabled.
 *  - A tenant presents one of its org's admin keys (`sk-tg-admin-…`, as `x-api-key` or
 *    `Authorization: Bearer`) and is scoped to that org — and, for a workspace-scoped admin key,
 *    to that workspace. Inference keys are refused (403): they call the model APIs only.
 *
 * A console user presents the session cookie (and, on state-changing requests, `x-csrf-token`):
 * their role in the session's current org, scoped to that org (docs/accounts.md).
 *
 * What each caller may do is the permission table (permissions.ts). Missing or invalid
 * credentials are 401 (counted against the client's address; the connection is closed). A
 * revoked or expired key is refused like on the proxy.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { keyFromHeaders } from '../accounts/keys.ts';
import type { AuthKey } from '../accounts/service.ts';
import type { Actor } from '../audit/actor.ts';
import { authenticationError, fail, notFound, permissionError } from '../core/errors.ts';
import { authenticateKey, closeAfter } from '../http/authenticate.ts';
import { addressBucket, clientAddress } from '../http/client-address.ts';
import type { Runtime } from '../exchange/runtime.ts';
import { maybeAccountsOf } from '../accounts/context.ts';
import { hasSessionCookie, requireSession } from './accounts/session-auth.ts';
import { resolveOrg } from './accounts/view.ts';
import { dbOf } from './respond.ts';
import type { Role } from './permissions.ts';

export type UserRole = Extract<Role, `user:${string}`>;

export type Caller =
  | { kind: 'operator'; role: 'operator'; actor: Actor }
  | {
      /** A console user's session (docs/accounts.md): their role in the session's current org. */
      kind: 'user';
      role: UserRole;
      orgId: string;
      userId: string;
      email: string;
      verified: boolean;
      workspaceId: null;
      actor: Actor;
    }
  | {
      kind: 'admin_key';
      role: 'org_admin' | 'workspace_admin';
      orgId: string;
      keyId: string;
      key: AuthKey;
      /** Set for a workspace-scoped admin key: everything it sees and changes is in this workspace. */
      workspaceId: string | null;
      actor: Actor;
    };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of the presented token and the configured admin token. */
export function isAdminToken(presented: string, configured: string | undefined): boolean {
  if (!configured) return false;
  return timingSafeEqual(digest(presented), digest(configured));
}

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
  return m ? m[1]!.trim() : undefined;
}

/** Resolves the caller from the request's headers; throws 401 when there is no valid credential, 403 for an inference key. */
export async function authenticateAdmin(rt: Runtime, req: IncomingMessage, requestId: string): Promise<Caller> {
  const ip = clientAddress(req, rt.config.http.trustProxy);
  const addr = addressBucket(ip);
  const token = bearer(req);
  if (token !== undefined && isAdminToken(token, rt.config.adminToken)) {
    try {
      rt.guards.authFailures.check(addr);
    } catch (e) {
      throw closeAfter(e);
    }
    return { kind: 'operator', role: 'operator', actor: { kind: 'operator', id: 'admin-token', requestId, clientIp: ip } };
  }
  const secret = keyFromHeaders(req.headers);
  const accounts = maybeAccountsOf(rt);
  if (!secret && token === undefined && accounts && hasSessionCookie(req)) return sessionCaller(rt, req, requestId, ip);
  if (!secret) {
    rt.guards.authFailures.fail(addr);
    throw closeAfter(authenticationError('credentials required: send the admin token or an admin key (Authorization: Bearer … or x-api-key)'));
  }
  const p = await authenticateKey(rt, req, secret, rt.clock.now());
  if (p.key.kind !== 'admin') {
    throw fail.inference_key_not_allowed(
      'This is an inference key: it calls the model APIs only. The admin API and the console need an admin key (sk-tg-admin-…, `tollgate key create --admin`).',
    );
  }
  const ws = p.key.adminScope === 'workspace';
  return {
    kind: 'admin_key',
    role: ws ? 'workspace_admin' : 'org_admin',
    orgId: p.org.id,
    keyId: p.key.id,
    key: p.key,
    workspaceId: ws ? p.key.workspaceId : null,
    actor: { kind: 'admin_key', id: p.key.id, requestId, clientIp: ip },
  };
}

/** A console session as an admin caller: the operator, or a user with their role in the current org. */
async function sessionCaller(rt: Runtime, req: IncomingMessage, requestId: string, ip: string): Promise<Caller> {
  const a = maybeAccountsOf(rt)!;
  const { session } = await requireSession(a, req);
  const user = session.userId ? await a.users.byId(session.userId) : undefined;
  // A user's operator flag is read live (revoking it takes effect at once); a token session is the operator.
  if (session.userId ? !!user?.operator : session.operator) {
    return { kind: 'operator', role: 'operator', actor: { kind: user ? 'user' : 'operator', id: user?.id ?? 'admin-token', requestId, clientIp: ip } };
  }
  if (!user || user.disabledAt != null) throw fail.not_authenticated('Log in first: no valid session.');
  const { current } = await resolveOrg(a, session);
  if (!current) throw fail.no_organization('You are not a member of any organization: create one or accept an invitation.');
  return {
    kind: 'user',
    role: `user:${current.role}`,
    orgId: current.orgId,
    userId: user.id,
    email: user.email,
    verified: user.verifiedAt != null,
    workspaceId: null,
    actor: { kind: 'user', id: user.id, requestId, clientIp: ip },
  };
}

/**
 * May this caller act on `orgId`? Tenants only on their own org (403 otherwise, without saying
 * whether the other org exists); the operator on any org that exists (404 otherwise).
 */
export async function requireOrgAccess(rt: Runtime, caller: Caller, orgId: string): Promise<void> {
  if (caller.kind !== 'operator') {
    if (caller.orgId !== orgId)
      throw permissionError(
        caller.kind === 'user'
          ? 'this is not the organization you are signed in to (switch organizations first)'
          : 'this admin key belongs to another organization',
      );
    return;
  }
  const org = await dbOf(rt).selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
  if (!org) throw notFound(`org ${orgId} not found`);
}

/** A workspace-scoped caller may only touch its workspace: 403 for any other. */
export function requireWorkspace(caller: Caller, workspaceId: string, what = 'this'): void {
  if (caller.kind === 'admin_key' && caller.workspaceId !== null && caller.workspaceId !== workspaceId) {
    throw permissionError(`${what} is outside the workspace of this admin key`);
  }
}
