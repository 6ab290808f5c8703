/**
 * Sign-up and email verification.
 *   POST signup          {email, password, org_name, invitation_token?} → 201 SignUpResponse + session cookies
 *   GET  verify?token=   the mailed link: verifies, then 303 to the console
 *   POST verify          {token} → VerifyResponse
 *   POST verify/resend   (session) → 202, a new link
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { fail, GatewayError, invalidRequest } from '../../core/errors.ts';
import { picoToUsd } from '../../core/money.ts';
import { readJsonBody, readQuery, sendJson } from '../respond.ts';
import type { SignUpResponse, VerifyResponse } from '../../accounts/api-types.ts';
import type { AccountsContext } from '../../accounts/context.ts';
import { emailSchema, normaliseEmail, passwordSchema } from '../../accounts/email.ts';
import { Invitations } from '../../accounts/invitations.ts';
import { verifyMail } from '../../accounts/mail.ts';
import { hashPassword } from '../../accounts/password.ts';
import type { UserRow } from '../../accounts/users.ts';
import { checkOrigin, requireSession } from './session-auth.ts';
import { openSession, sessionView } from './view.ts';

const SignUp = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  org_name: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters').optional(),
  invitation_token: z.string().min(1).max(200).optional(),
});

export async function sendVerification(a: AccountsContext, user: UserRow): Promise<boolean> {
  const { token } = await a.tokens.issue('verify', { userId: user.id, emailNorm: user.emailNorm });
  return a.mail.send(verifyMail(user.email, `${a.publicUrl}/account/v1/verify?token=${encodeURIComponent(token)}`));
}

export async function signUp(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  checkOrigin(a, req);
  const body = await readJsonBody(req, SignUp);
  const mode = a.config.accounts.signup;
  if (mode === 'closed') throw fail.signup_closed('Sign-up is closed on this gateway; ask the operator for an account.');
  if (mode === 'invite' && !body.invitation_token) throw fail.invitation_required('Sign-up is by invitation only: open the link in your invitation mail.');
  let user: UserRow;
  let orgId: string;
  let joined: string | null = null;
  let sent = false;
  if (body.invitation_token) {
    const invitations = new Invitations(a.db, a.tokens, a.clock);
    const { inv } = await invitations.lookup(body.invitation_token);
    if (normaliseEmail(body.email) !== inv.email_norm)
      throw fail.invitation_email_mismatch('This invitation was sent to another email address; sign up with that address.');
    const passwordHash = await hashPassword(body.password);
    user = await a.db.transaction().execute((trx) => a.users.insert(trx, { email: body.email, passwordHash }));
    const r = await invitations.accept(body.invitation_token, user, a.users);
    orgId = r.orgId;
    joined = r.orgId;
    user = (await a.users.byId(user.id))!;
  } else {
    if (!body.org_name) throw invalidRequest('invalid body: org_name: required (the name of your organization)');
    const r = await a.users.signUpWithOrg({ email: body.email, password: body.password, orgName: body.org_name }, (id) => ({ kind: 'user', id, requestId }));
    user = r.user;
    orgId = r.orgId;
    sent = await sendVerification(a, user);
  }
  const { token, session } = await openSession(a, req, res, { userId: user.id, operator: user.operator, orgId });
  const view: SignUpResponse = { ...(await sessionView(a, token, session)), verification_sent: sent, joined_org_id: joined };
  sendJson(res, requestId, 201, view);
}

const TokenBody = z.strictObject({ token: z.string().min(1).max(200) });

async function doVerify(a: AccountsContext, token: unknown): Promise<VerifyResponse> {
  const r = await a.users.verify(a.tokens, token, a.free);
  return { verified: true, email: r.user.email, credits_granted_usd: picoToUsd(r.granted), credits_org_id: r.grantedOrgId };
}

export async function verifyPost(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  checkOrigin(a, req);
  const { token } = await readJsonBody(req, TokenBody);
  sendJson(res, requestId, 200, await doVerify(a, token));
}

export async function verifyLink(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  req.resume();
  const q = readQuery(req, z.object({ token: z.string().max(200).optional() }).loose());
  let to = '/console/#/verified';
  try {
    await doVerify(a, q.token);
  } catch (e) {
    if (!(e instanceof GatewayError) || e.status >= 500) throw e;
    to = '/console/#/verify-failed';
  }
  res.writeHead(303, { location: to, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-request-id': requestId, 'content-length': '0' });
  res.end();
}

export async function resendVerification(a: AccountsContext, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const { session } = await requireSession(a, req);
  req.resume();
  const user = session.userId ? await a.users.byId(session.userId) : undefined;
  if (!user) throw invalidRequest('this session has no user account');
  if (user.verifiedAt != null) return sendJson(res, requestId, 200, { ok: true, already_verified: true });
  const recent = await a.db
    .selectFrom('account_tokens')
    .select('id')
    .where('user_id', '=', user.id)
    .where('kind', '=', 'verify')
    .where('created_at', '>', BigInt(a.clock.now() - 60_000))
    .executeTakeFirst();
  if (recent) throw fail.rate_limited('A verification mail was sent less than a minute ago; check your inbox.', { headers: { 'retry-after': '60' } });
  await sendVerification(a, user);
  sendJson(res, requestId, 202, { ok: true });
}
