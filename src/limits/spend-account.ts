/**
 * The spend accounts admission holds against (limits/spend/ sees them as opaque string keys),
 * as one discriminated union with one encoder and one decoder:
 *
 * - `credit:<org>` / `credit:<org>:<base>`: an org's prepaid credit balance, rebased by `base`
 *   pico-USD when its lifetime totals outgrow int64 (limits/policy.ts `creditAccountFor`);
 * - `month:<YYYY-MM>:org:<org>`, `…:ws:<workspace>`, `…:key:<key>`: a monthly spend limit.
 *
 * Nothing else builds or takes these keys apart.
 */
export type LimitScope = 'org' | 'workspace' | 'key';

export type SpendAccount =
  | { kind: 'credit'; orgId: string /** 0n: not rebased. */; base: bigint }
  | { kind: 'month'; month: string; scope: LimitScope; id: string };

const SCOPE_TAG: Record<LimitScope, string> = { org: 'org', workspace: 'ws', key: 'key' };
const TAG_SCOPE: Record<string, LimitScope> = { org: 'org', ws: 'workspace', key: 'key' };

const ID = /^[^:\s]+$/;
const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;
const BASE = /^[1-9]\d*$/;

function id(what: string, v: string): string {
  if (!ID.test(v)) throw new TypeError(`spend account: ${what} ${JSON.stringify(v)} is empty or has a ':' or a space`);
  return v;
}

export function encode(a: SpendAccount): string {
  if (a.kind === 'credit') {
    if (a.base < 0n) throw new TypeError(`spend account: negative base ${a.base}`);
    return a.base === 0n ? `credit:${id('org', a.orgId)}` : `credit:${id('org', a.orgId)}:${a.base}`;
  }
  if (!MONTH.test(a.month)) throw new TypeError(`spend account: month ${JSON.stringify(a.month)} is not YYYY-MM`);
  return `month:${a.month}:${SCOPE_TAG[a.scope]}:${id(a.scope, a.id)}`;
}

/** The account a key names; throws on anything `encode` cannot have produced. */
export function decode(key: string): SpendAccount {
  const p = key.split(':');
  if (p[0] === 'credit' && (p.length === 2 || p.length === 3) && ID.test(p[1]!)) {
    if (p.length === 2) return { kind: 'credit', orgId: p[1]!, base: 0n };
    if (BASE.test(p[2]!)) return { kind: 'credit', orgId: p[1]!, base: BigInt(p[2]!) };
  }
  if (p[0] === 'month' && p.length === 4 && MONTH.test(p[1]!) && Object.hasOwn(TAG_SCOPE, p[2]!) && ID.test(p[3]!)) {
    return { kind: 'month', month: p[1]!, scope: TAG_SCOPE[p[2]!]!, id: p[3]! };
  }
  throw new TypeError(`not a spend account key: ${JSON.stringify(key)}`);
}
