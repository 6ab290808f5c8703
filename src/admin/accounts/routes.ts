/**
 * The account API's routes (`/account/v1/…`, docs/accounts.md), mounted into the gateway's route
 * table as one prefix route per method. Errors render in the admin envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clip, fail, notFound } from '../../core/errors.ts';
import type { Route } from '../../http/server.ts';
import type { Runtime } from '../../exchange/runtime.ts';
import { accountsOf, type AccountsContext } from '../../accounts/context.ts';
import { login, logout, logoutAll } from './login.ts';
import { change, forgot, reset } from './password.ts';
import { acceptInvitation, lookupInvitation } from './invites.ts';
import { createOrg, getSession, listSessions, revokeSession, switchOrg } from './self.ts';
import { resendVerification, signUp, verifyLink, verifyPost } from './signup.ts';

export const ACCOUNT_PREFIX = '/account/v1/';

type H = (a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string, param: string) => Promise<void>;

const TABLE: Array<{ method: string; path: string | RegExp; handler: H }> = [
  { method: 'POST', path: 'signup', handler: signUp },
  { method: 'GET', path: 'verify', handler: verifyLink },
  { method: 'POST', path: 'verify', handler: verifyPost },
  { method: 'POST', path: 'verify/resend', handler: resendVerification },
  { method: 'POST', path: 'login', handler: login },
  { method: 'POST', path: 'logout', handler: logout },
  { method: 'POST', path: 'logout-all', handler: logoutAll },
  { method: 'GET', path: 'session', handler: getSession },
  { method: 'GET', path: 'sessions', handler: listSessions },
  { method: 'POST', path: /^sessions\/(sess_[A-Za-z0-9]{1,40})\/revoke$/, handler: revokeSession },
  { method: 'POST', path: 'switch-org', handler: switchOrg },
  { method: 'POST', path: 'orgs', handler: createOrg },
  { method: 'POST', path: 'password/forgot', handler: forgot },
  { method: 'POST', path: 'password/reset', handler: reset },
  { method: 'POST', path: 'password/change', handler: change },
  { method: 'GET', path: 'invitations/lookup', handler: lookupInvitation },
  { method: 'POST', path: 'invitations/accept', handler: acceptInvitation },
];

async function dispatch(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string, rest = ''): Promise<void> {
  const path = rest.replace(/\/+$/, '');
  const hits = TABLE.map((r) => {
    if (typeof r.path === 'string') return r.path === path ? { r, param: '' } : undefined;
    const m = r.path.exec(path);
    return m ? { r, param: m[1]! } : undefined;
  }).filter((h) => h !== undefined);
  const hit = hits.find((h) => h.r.method === req.method);
  if (!hit) {
    req.resume();
    if (hits.length) {
      const allow = [...new Set(hits.map((h) => h.r.method))].join(', ');
      throw fail.method_not_allowed(`method ${req.method} not allowed here; use ${allow}`, { headers: { allow } });
    }
    throw notFound(`Not found: ${clip(req.method ?? '', 16)} ${ACCOUNT_PREFIX}${clip(rest, 128)}`);
  }
  await hit.r.handler(accountsOf(rt), req, res, requestId, hit.param);
}

export function accountRoutes(): Route[] {
  return (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => ({
    method,
    path: ACCOUNT_PREFIX,
    prefix: true,
    surface: 'admin' as const,
    handler: (rt, req, res, requestId, param) => dispatch(rt, req, res, requestId, param),
  }));
}
