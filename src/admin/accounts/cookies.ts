/**
 * The session and CSRF cookies. `tg_session` is `HttpOnly; SameSite=Lax; Path=/` (+ `Secure`
 * over TLS or with an https public URL); `tg_csrf` is readable by the console's script (it is
 * also in every session response) — it is worthless without the HttpOnly session cookie.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AccountsContext } from '../../accounts/context.ts';

export const SESSION_COOKIE = 'tg_session';
export const CSRF_COOKIE = 'tg_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (!raw || raw.length > 8192) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function secure(a: AccountsContext, req: IncomingMessage): boolean {
  if (a.secureCookies || (req.socket as TLSSocket).encrypted) return true;
  return (
    a.config.http.trustProxy &&
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim() === 'https'
  );
}

export function sessionCookies(a: AccountsContext, req: IncomingMessage, token: string, csrf: string, maxAgeSec: number): string[] {
  const s = secure(a, req) ? '; Secure' : '';
  return [
    `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSec}${s}`,
    `${CSRF_COOKIE}=${csrf}; SameSite=Lax; Path=/; Max-Age=${maxAgeSec}${s}`,
  ];
}

export function clearCookies(a: AccountsContext, req: IncomingMessage): string[] {
  const s = secure(a, req) ? '; Secure' : '';
  return [`${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${s}`, `${CSRF_COOKIE}=; SameSite=Lax; Path=/; Max-Age=0${s}`];
}
