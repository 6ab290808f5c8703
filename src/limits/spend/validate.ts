/**
 * Input checks shared by both spend-hold implementations, so they refuse the same bad
 * input the same way (a caller bug surfaces as a thrown TypeError/RangeError, never as a
 * silently wrong balance).
 */
import { INT64_MAX, INT64_MIN, type ReserveRequest } from './types.ts';

/** Throws unless `v` is a bigint in the signed 64-bit range (and >= 0 when `nonNegative`). */
export function checkAmount(name: string, v: bigint, nonNegative: boolean): void {
  if (typeof v !== 'bigint') throw new TypeError(`${name} must be a bigint, got ${typeof v}`);
  if (v > INT64_MAX || v < (nonNegative ? 0n : INT64_MIN)) {
    throw new RangeError(`${name} out of range${nonNegative ? ' (must be >= 0 and fit int64)' : ' (must fit int64)'}: ${v}`);
  }
}

export function checkKey(name: string, key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

/** Validates a reservation: id, amount, ttl, and distinct account keys with sane caps. */
export function checkReserve(req: ReserveRequest): void {
  checkKey('holdId', req.holdId);
  checkAmount('amount', req.amount, true);
  if (!Number.isFinite(req.ttlMs) || req.ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${req.ttlMs}`);
  const accts = req.accounts;
  if (!Array.isArray(accts) || accts.length === 0) throw new TypeError('accounts must be a non-empty array');
  for (let i = 0; i < accts.length; i++) {
    const a = accts[i]!;
    checkKey('account key', a.key);
    if (a.cap !== null) checkAmount(`cap of ${a.key}`, a.cap, false);
    for (let j = 0; j < i; j++) {
      if (accts[j]!.key === a.key) throw new TypeError(`account ${a.key} named twice in one reservation`);
    }
  }
}

/** Throws if `v` (a computed counter value) left the int64 range. */
export function checkFits(what: string, v: bigint): void {
  if (v > INT64_MAX || v < INT64_MIN) throw new RangeError(`${what} would overflow int64: ${v}`);
}
