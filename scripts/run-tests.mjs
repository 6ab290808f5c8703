#!/usr/bin/env node
// Runs every *.test.ts under test/ and src/ with Node's own test runner (through tsx).
// DATABASE_URL picks the backend (a SQLite path by default, or postgres://...).
// Files named `*.pg-redis.test.ts` kill and restart their own private PostgreSQL and Redis (the
// scale-out fault tests): they are selected only in the PostgreSQL + Redis pass
// (DATABASE_URL=postgres://… and REDIS_TEST=1, as .ci/run's second pass sets them); the SQLite pass
// names the files it leaves to that pass, and asking for one of them alone on SQLite is an error.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let files = [...walk('src', []), ...walk('test', []), ...walk('bench', [])].sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const pgRedisPass = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') && !!process.env.REDIS_TEST;
const held = pgRedisPass ? [] : files.filter((f) => f.endsWith('.pg-redis.test.ts'));
if (held.length) {
  files = files.filter((f) => !held.includes(f));
  console.log(`# not selected in this pass (they run with DATABASE_URL=postgres://… REDIS_TEST=1): ${held.join(', ')}`);
  if (!files.length) {
    console.error('these files need the PostgreSQL + Redis pass (DATABASE_URL=postgres://… REDIS_TEST=1)');
    process.exit(1);
  }
}
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
