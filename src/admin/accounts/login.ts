/**
 * Logging in and out.
 *   POST login        {email, password} | {admin_token} → SessionView + fresh session cookies
 *   POST logout       (session, csrf) → 204, this session revoked, cookies cleared
 *   POST logout-all   (session, csrf) → {revoked}: every session of the user
 * Failed logins count per account and per client address (LoginThrottle): 429 + retry-after.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isAdminToken } from '../auth.ts';
import { readJsonBody, sendJson } from '../respond.ts';
import { fail, GatewayError } from '../../core/errors.ts';
import { addressBucket, clientAddress } from '../../http/client-address.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import type { UserRow } from '../../accounts/users.ts';
import { normaliseEmail } from '../../accounts/email.ts';
import { clearCookies } from './cookies.ts';
import { checkOrigin, requireSession } from './session-auth.ts';
import { openSession, resolveOrg, sessionView } from './view.ts';

const Login = z.union([
  z.strictObject({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(200) }),
  z.strictObject({ admin_token: z.string().min(1).max(500) }),
]);

export async function login(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  checkOrigin(a, req);
  const body = await readJsonBody(req, Login);
  const addr = addressBucket(clientAddress(req, a.config.http.trustProxy));
  if ('admin_token' in body) {
    a.throttle.check('operator', addr);
    if (!isAdminToken(body.admin_token, a.config.adminToken)) {
      a.throttle.fail('operator', addr);
      throw fail.invalid_credentials('Wrong admin token.');
    }
    const { token, session } = await openSession(a, req, res, { userId: null, operator: true, orgId: null });
    return sendJson(res, requestId, 200, await sessionView(a, token, session));
  }
  const account = `acct:${normaliseEmail(body.email)}`;
  a.throttle.check(account, addr);
  let user: UserRow;
  try {
    user = await a.users.checkPassword(body.email, body.password);
  } catch (e) {
    if (e instanceof GatewayError && e.code === 'invalid_credentials') a.throttle.fail(account, addr);
    throw e;
  }
  a.throttle.succeed(account);
  const orgs = await a.users.memberships(user.id);
  const { token, session } = await openSession(a, req, res, { userId: user.id, operator: user.operator, orgId: orgs[0]?.orgId ?? null });
  await resolveOrg(a, session);
  sendJson(res, requestId, 200, await sessionView(a, token, session));
}

export async function logout(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  req.resume();
  await a.sessions.revoke(session.id);
  res.writeHead(204, { 'set-cookie': clearCookies(a, req), 'cache-control': 'no-store', 'x-request-id': requestId });
  res.end();
}

export async function logoutAll(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  req.resume();
  let revoked: number;
  if (session.userId) revoked = await a.sessions.revokeAll(session.userId);
  else {
    await a.sessions.revoke(session.id);
    revoked = 1;
  }
  res.setHeader('set-cookie', clearCookies(a, req));
  sendJson(res, requestId, 200, { revoked });
}
