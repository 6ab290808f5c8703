/**
 * Passwords.
 *   POST password/forgot   {email} → 202 always (a reset link is mailed when the account exists; at most one a minute)
 *   POST password/reset    {token, password} → {ok}; every session of the user revoked
 *   POST password/change   (session, csrf) {current_password, new_password} → {ok}; the other sessions revoked
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readJsonBody, sendJson } from '../respond.ts';
import { invalidRequest, notFound } from '../../core/errors.ts';
import { addressBucket, clientAddress } from '../../http/client-address.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import { emailSchema, normaliseEmail, passwordSchema } from '../../accounts/email.ts';
import { resetMail } from '../../accounts/mail.ts';
import { checkOrigin, requireSession } from './session-auth.ts';

export async function forgot(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  checkOrigin(a, req);
  const { email } = await readJsonBody(req, z.strictObject({ email: emailSchema }));
  const addr = addressBucket(clientAddress(req, a.config.http.trustProxy));
  // Counts against the login throttle's address bucket: no mail bombing from one address.
  a.throttle.check(`reset:${normaliseEmail(email)}`, addr);
  a.throttle.fail(`reset:${normaliseEmail(email)}`, addr);
  const user = await a.users.byEmail(email);
  if (user && user.disabledAt == null) {
    const { token } = await a.tokens.issue('reset', { userId: user.id, emailNorm: user.emailNorm });
    await a.mail.send(resetMail(user.email, `${a.publicUrl}/console/#/reset?token=${encodeURIComponent(token)}`));
  }
  sendJson(res, requestId, 202, { ok: true });
}

export async function reset(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  checkOrigin(a, req);
  const body = await readJsonBody(req, z.strictObject({ token: z.string().min(1).max(200), password: passwordSchema }));
  const row = await a.tokens.consume('reset', body.token);
  const user = row.user_id ? await a.users.byId(row.user_id) : undefined;
  if (!user || user.emailNorm !== row.email_norm) throw notFound('this account no longer exists');
  await a.users.setPassword(user.id, body.password, { kind: 'user', id: user.id, requestId });
  await a.sessions.revokeAll(user.id);
  // Reading the reset mail proves the address, like the verification link.
  if (user.verifiedAt == null) await a.db.updateTable('users').set({ verified_at: a.clock.now() }).where('id', '=', user.id).execute();
  sendJson(res, requestId, 200, { ok: true });
}

export async function change(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  const body = await readJsonBody(req, z.strictObject({ current_password: z.string().min(1).max(200), new_password: passwordSchema }));
  if (!session.userId) throw invalidRequest('the operator session has no password');
  const user = (await a.users.byId(session.userId))!;
  await a.users.checkPassword(user.email, body.current_password);
  await a.users.setPassword(user.id, body.new_password, { kind: 'user', id: user.id, requestId });
  await a.sessions.revokeAll(user.id, session.id);
  sendJson(res, requestId, 200, { ok: true });
}
