/**
 * The CLI's manners (issue 15 item 9): an unknown id is an error with a non-zero exit in every
 * command that takes one; `--version` exists; a reader that closes the pipe early (`| head`)
 * does not make the command die with an unhandled EPIPE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freshDatabase } from '../support/gateway.ts';

const BIN = new URL('../../bin/tollgate.mjs', import.meta.url).pathname;

function tollgate(
  env: Record<string, string>,
  args: string[],
  opts: { closeAfterBytes?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d;
      // Like `| head -c N`: read a little, then close our end of the pipe.
      if (opts.closeAfterBytes !== undefined && stdout.length >= opts.closeAfterBytes) p.stdout.destroy();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('unknown ids, --version and a closed pipe', async (t) => {
  const db = await freshDatabase();
  t.after(() => db.drop());
  const env = { DATABASE_URL: db.url };

  const v = await tollgate(env, ['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);

  const created = await tollgate(env, ['org', 'create', '--name', 'Acme', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const org = JSON.parse(created.stdout).id as string;

  // The check is one hook for every command's --org / --workspace / --key; a sample of commands.
  const unknownOrg = [
    ['usage', '--org', 'org_nope'],
    ['key', 'list', '--org', 'org_nope'],
    ['invoices', 'list', '--org', 'org_nope', '--json'],
    ['audit', '--org', 'org_nope'],
    ['outbox', '--org', 'org_nope'],
  ];
  for (const args of unknownOrg) {
    const r = await tollgate(env, args);
    assert.equal(r.code, 1, `${args.join(' ')} exited ${r.code}: ${r.stdout}`);
    assert.match(r.stderr, /not_found_error: org org_nope not found/, args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')} printed a report for an unknown org`);
  }
  for (const [args, re] of [
    [['usage', '--org', org, '--workspace', 'ws_nope'], /workspace ws_nope not found/],
    [['usage', '--org', org, '--key', 'key_nope'], /key key_nope not found/],
    [['invoices', 'show', 'INV-nope'], /invoice INV-nope not found/],
  ] as Array<[string[], RegExp]>) {
    const r = await tollgate(env, args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  // A known org still works.
  const ok = await tollgate(env, ['usage', '--org', org, '--json']);
  assert.equal(ok.code, 0, ok.stderr);

  // `prices list --all --json | head`: the reader goes away after the first bytes.
  const piped = await tollgate(env, ['prices', 'list', '--all', '--json'], { closeAfterBytes: 64 });
  assert.doesNotMatch(piped.stderr, /EPIPE|Unhandled|Error/, piped.stderr);
  assert.equal(piped.code, 0);
});
