/** Spend account keys (src/limits/spend-account.ts): every account round-trips; a malformed key is refused, never guessed at. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, type SpendAccount } from '../../src/limits/spend-account.ts';
import { creditAccountFor, monthAccount } from '../../src/limits/policy.ts';

test('every kind of account round-trips through its key', () => {
  const cases: Array<[SpendAccount, string]> = [
    [{ kind: 'credit', orgId: 'org_1', base: 0n }, 'credit:org_1'],
    [{ kind: 'credit', orgId: 'org_1', base: 2n ** 60n }, `credit:org_1:${2n ** 60n}`],
    [{ kind: 'month', month: '2026-11', scope: 'org', id: 'org_1' }, 'month:2026-11:org:org_1'],
    [{ kind: 'month', month: '2026-11', scope: 'workspace', id: 'ws_1' }, 'month:2026-11:ws:ws_1'],
    [{ kind: 'month', month: '2026-12', scope: 'key', id: 'key_9' }, 'month:2026-12:key:key_9'],
  ];
  for (const [account, key] of cases) {
    assert.equal(encode(account), key);
    assert.deepEqual(decode(key), account);
  }
});

test('the admission helpers build the same keys', () => {
  assert.equal(monthAccount('2026-01', 'workspace', 'ws_1'), 'month:2026-01:ws:ws_1');
  assert.deepEqual(creditAccountFor('org_1', 500n), { key: 'credit:org_1', cap: 500n });
  const huge = creditAccountFor('org_1', 2n ** 63n + 5n);
  const d = decode(huge.key);
  assert.equal(d.kind, 'credit');
  assert.ok(d.kind === 'credit' && d.base > 0n && d.base + huge.cap === 2n ** 63n + 5n);
});

test('malformed keys are refused', () => {
  for (const bad of [
    '',
    'credit',
    'credit:',
    'credit:org_1:',
    'credit:org_1:0',
    'credit:org_1:-5',
    'credit:org_1:12x',
    'credit:a:1:2',
    'month:2026-11:org',
    'month:2026-11:team:t_1',
    'month:2026-13:org:org_1',
    'month:26-11:org:org_1',
    'month:2026-11:org:',
    'month:2026-11:org:a:b',
    'monthly:2026-11:org:org_1',
    'month:2026-11:ws:ws 1',
    'debit:org_1',
  ]) {
    assert.throws(() => decode(bad), TypeError, bad);
  }
});

test('ids that would make an ambiguous key are refused when encoding', () => {
  assert.throws(() => encode({ kind: 'month', month: '2026-11', scope: 'key', id: 'a:b' }), TypeError);
  assert.throws(() => encode({ kind: 'credit', orgId: '', base: 0n }), TypeError);
  assert.throws(() => encode({ kind: 'month', month: '2026-1', scope: 'org', id: 'org_1' }), TypeError);
  assert.throws(() => encode({ kind: 'credit', orgId: 'org_1', base: -1n }), TypeError);
});
