/**
 * Reading the session off a request, and the CSRF rule for requests that carry it: every
 * state-changing method needs `x-csrf-token` = the session's CSRF token, and a request with an
 * `Origin` header must come from this gateway's origin (the public URL's, or the Host it was
 * sent to). Failures are `403 csrf_failed`; a missing or dead session is `401 not_authenticated`.
 */
import type { IncomingMessage } from 'node:http';
import { fail } from '../../core/errors.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import type { SessionRow } from '../../accounts/sessions.ts';
import { CSRF_HEADER, readCookie, SESSION_COOKIE } from './cookies.ts';

export const notAuthenticated = () => fail.not_authenticated('Log in first: no valid session.');
export const csrfFailed = (why: string) => fail.csrf_failed(`CSRF check failed: ${why}.`);

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function hasSessionCookie(req: IncomingMessage): boolean {
  return readCookie(req, SESSION_COOKIE) !== undefined;
}

/** A request from a foreign page (Origin present and not ours) is refused. */
export function checkOrigin(a: AccountsContext, req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const allowed = new Set<string>([new URL(a.publicUrl).origin]);
  const host = req.headers.host;
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  if (!allowed.has(origin)) throw csrfFailed('the request comes from another origin');
}

export interface LiveSession {
  token: string;
  session: SessionRow;
}

/** The request's live session, or 401. State-changing methods are CSRF-checked. */
export async function requireSession(a: AccountsContext, req: IncomingMessage): Promise<LiveSession> {
  const token = readCookie(req, SESSION_COOKIE);
  const session = await a.sessions.lookup(token);
  if (!token || !session) throw notAuthenticated();
  if (!SAFE.has(req.method ?? 'GET')) {
    checkOrigin(a, req);
    const h = req.headers[CSRF_HEADER];
    if (!a.sessions.checkCsrf(token, typeof h === 'string' ? h : undefined)) throw csrfFailed(`send the session's CSRF token in the ${CSRF_HEADER} header`);
  }
  return { token, session };
}
