import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDatabaseUnavailable } from './db-errors.ts';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('a database that is away is told apart from one that refuses the row', () => {
  // Away: retry later, never dead-letter.
  for (const e of [
    coded('57P01', 'terminating connection due to administrator command'),
    coded('57P03', 'the database system is starting up'),
    coded('08006'),
    coded('53300', 'too many connections'),
    coded('ECONNREFUSED'),
    coded('SQLITE_BUSY'),
    coded('SQLITE_IOERR_WRITE'),
    new Error('Connection terminated unexpectedly'),
    new Error('write failed', { cause: coded('ECONNRESET') }),
  ])
    assert.equal(isDatabaseUnavailable(e), true, e.message);
  // Refuses the row: it would refuse it again.
  for (const e of [
    coded('P0001', 'refused by a trigger'),
    coded('22003', 'numeric field overflow'),
    coded('23505', 'duplicate key'),
    coded('SQLITE_CONSTRAINT_TRIGGER'),
    new RangeError('BigInt out of range'),
    new Error('amount too large'),
  ])
    assert.equal(isDatabaseUnavailable(e), false, e.message);
  assert.equal(isDatabaseUnavailable('nope'), false);
});
