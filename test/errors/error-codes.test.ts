/**
 * Errors as data (src/core/error-codes.ts): every factory makes exactly the status, type and
 * retry hint its row documents, docs/errors.md is the table as generated (`npm run docs:errors`),
 * and no code outside core/errors.ts constructs a GatewayError by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, type ErrorSpec } from '../../src/core/error-codes.ts';
import { codes, fail, GatewayError, toGatewayError, upstreamStatusError } from '../../src/core/errors.ts';
import { errorDocsMarkdown } from '../../scripts/error-docs.ts';

test('docs/errors.md is the generated table (run `npm run docs:errors` after changing src/core/error-codes.ts)', () => {
  assert.equal(readFileSync('docs/errors.md', 'utf8'), errorDocsMarkdown());
});

test('every fixed-status code has a factory that makes its row: status, type, code, x-should-retry', () => {
  const rows = Object.entries(ERROR_CODES as Record<string, ErrorSpec>);
  for (const [code, spec] of rows) {
    assert.equal(codes[code as keyof typeof codes], code);
    if (typeof spec.status !== 'number') continue;
    const e = fail[code as keyof typeof fail]('something went wrong', { headers: { 'retry-after': '3' }, param: 'model' });
    assert.ok(e instanceof GatewayError);
    assert.deepEqual([e.code, e.status, e.type, e.message, e.param], [code, spec.status, spec.type, 'something went wrong', 'model']);
    assert.equal(e.headers['x-should-retry'], spec.retry === undefined ? undefined : String(spec.retry), code);
    assert.equal(e.headers['retry-after'], '3');
  }
  assert.equal(Object.keys(fail).length, rows.filter(([, s]) => typeof s.status === 'number').length);
});

test('a per-error shouldRetry overrides the row; an upstream status keeps its number in the code', () => {
  assert.equal(fail.rate_limit_exceeded('too big', { shouldRetry: false }).headers['x-should-retry'], 'false');
  const e = upstreamStatusError(529, 'overloaded_error', 'The upstream is overloaded', { headers: { 'retry-after': '2' } });
  assert.deepEqual([e.code, e.status, e.type, e.headers['retry-after']], ['upstream_529', 529, 'overloaded_error', '2']);
  assert.ok('upstream_<status>' in ERROR_CODES);
});

test('anything thrown that is not a GatewayError becomes an opaque internal_error', () => {
  const e = toGatewayError(new Error('secret detail'));
  assert.deepEqual([e.code, e.status, e.message], [codes.internal_error, 500, 'Internal server error']);
});
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('only core/errors.ts constructs a GatewayError: everything else goes through a named factory', () => {
  const bare = sources('src').filter((p) => p !== join('src', 'core', 'errors.ts') && /new GatewayError\(/.test(readFileSync(p, 'utf8')));
  assert.deepEqual(bare, []);
});

test('every code the gateway renders is a row: the OpenAI envelope carries it with the mapped type', async () => {
  const { openaiErrorBody } = await import('../../src/wire/openai-errors.ts');
  const body = JSON.parse(openaiErrorBody(fail.org_suspended('Your organization is suspended.')));
  assert.deepEqual(body, { error: { message: 'Your organization is suspended.', type: 'insufficient_quota', param: null, code: 'org_suspended' } });
});
