/**
 * The accounts side of a running gateway: users, sessions, link tokens, mail and the login
 * throttle. `startGateway` builds it and attaches it to the Runtime; the account routes and the
 * admin API's session authentication read it through `accountsOf(rt)`.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import { usdToPico } from '../core/money.ts';
import type { DB } from '../store/schema.ts';
import { AccountMailer } from './mail.ts';
import { Sessions } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';
import { LinkTokens, loadSecret } from './tokens.ts';
import { Users, type FreeCredits } from './users.ts';

export interface AccountsContext {
  config: Config;
  db: Kysely<DB>;
  clock: Clock;
  users: Users;
  sessions: Sessions;
  tokens: LinkTokens;
  mail: AccountMailer;
  throttle: LoginThrottle;
  free: FreeCredits;
  /** Base of links in mails and the console's origin (TOLLGATE_PUBLIC_URL, or the listen address). */
  publicUrl: string;
  /** Cookies get `Secure` (TOLLGATE_PUBLIC_URL is https). */
  secureCookies: boolean;
  close(): void;
}

export async function createAccounts(o: { config: Config; db: Kysely<DB>; clock: Clock; log?: Logger; listenUrl: string }): Promise<AccountsContext> {
  const secret = await loadSecret(o.db, 'accounts', o.clock.now());
  const publicUrl = (o.config.billing.publicUrl ?? o.listenUrl).replace(/\/+$/, '');
  const mail = new AccountMailer(o.db, o.config.smtp, o.clock, o.log);
  return {
    config: o.config,
    db: o.db,
    clock: o.clock,
    users: new Users(o.db, o.clock),
    sessions: new Sessions(o.db, secret, o.clock, o.config.accounts.sessionDays * 86_400_000),
    tokens: new LinkTokens(o.db, secret, o.clock),
    mail,
    throttle: new LoginThrottle(o.clock),
    free: { amount: usdToPico(o.config.freeCreditsUsd), days: o.config.freeCreditsDays },
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    close: () => mail.close(),
  };
}

/** Keyed by the gateway's runtime object (this layer does not need its shape). */
const registry = new WeakMap<object, AccountsContext>();

export function attachAccounts(rt: object, a: AccountsContext): void {
  registry.set(rt, a);
}

export function accountsOf(rt: object): AccountsContext {
  const a = registry.get(rt);
  if (!a) throw new Error('accounts are not wired into this runtime (startGateway attaches them)');
  return a;
}

export function maybeAccountsOf(rt: object): AccountsContext | undefined {
  return registry.get(rt);
}
