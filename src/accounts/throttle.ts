/**
 * Login throttling, per account and per client address (token buckets of failures, in memory,
 * per instance): an account gets 5 failures and then one more per minute; an address 20 and
 * then 10 per minute. A refused attempt is `429 rate_limited` with `retry-after`, checked before
 * the password is hashed. A successful login clears the account's failures (not the address's).
 */
import { fail, GatewayError } from '../core/errors.ts';
import { AuthThrottle } from '../limits/guards/auth-throttle.ts';
import type { Clock } from '../core/clock.ts';

export class LoginThrottle {
  private accounts: AuthThrottle;
  private addresses: AuthThrottle;

  constructor(clock: Clock, o: { accountBurst?: number; accountPerMinute?: number; addressBurst?: number; addressPerMinute?: number } = {}) {
    this.accounts = new AuthThrottle({ burst: o.accountBurst ?? 5, perMinute: o.accountPerMinute ?? 1, clock });
    this.addresses = new AuthThrottle({ burst: o.addressBurst ?? 20, perMinute: o.addressPerMinute ?? 10, clock });
  }

  check(account: string, address: string): void {
    for (const [t, key, what] of [
      [this.accounts, account, 'this account'],
      [this.addresses, address, 'this address'],
    ] as const) {
      try {
        t.check(key);
      } catch (e) {
        const wait = e instanceof GatewayError ? (e.headers['retry-after'] ?? '60') : '60';
        throw fail.rate_limited(`Too many failed logins for ${what}; try again in ${wait} s (or reset the password).`, { headers: { 'retry-after': wait } });
      }
    }
  }

  fail(account: string, address: string): void {
    this.accounts.fail(account);
    this.addresses.fail(address);
  }

  succeed(account: string): void {
    this.accounts.forget(account);
  }
}
