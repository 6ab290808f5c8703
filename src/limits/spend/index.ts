/**
 * Spend holds: reserve a request's worst-case cost against every account it touches (credit
 * balance, org / workspace / key monthly caps), settle to the exact cost or release, and let
 * the holds of a crashed process expire. `MemorySpendHolds` for one process,
 * `RedisSpendHolds` for many. See README.md for the invariants.
 */
export type {
  AccountSnapshot,
  HoldAccount,
  ReserveRequest,
  ReserveResult,
  SettleResult,
  SpendHolds,
  SpendHoldsOptions,
} from './types.ts';
export { HoldIdReusedError, INT64_MAX, INT64_MIN } from './types.ts';
export { MemorySpendHolds } from './memory.ts';
export { RedisSpendHolds, SpendHoldsRecovering, type RedisSpendHoldsOptions } from './redis.ts';
export { reserveWithLoad } from './load.ts';
