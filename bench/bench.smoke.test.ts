/**
 * Smoke test of the benchmark harness: `npm run bench` (bench/start.mjs) in a minimal mode (core phase only, messages
 * JSON only, ~1 s per run, Node load driver, no pinning) must start the three targets, create the
 * customer, and produce the table and the raw JSON. No assertion on speed: the machine may be busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

test('bench harness (minimal mode) prints one table with direct, bare and Tollgate', { timeout: 170_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tollgate-bench-smoke-'));
  try {
    const env = {
      ...process.env,
      PHASES: 'core',
      SCENARIOS: 'messages',
      REPS: '1',
      CONNS: '10',
      SAT_SECONDS: '1',
      RATE_SECONDS: '1',
      RATE_WARMUP: '0.5',
      RATES: '200',
      WARMUP: '0.5',
      LOADGEN: 'node',
      PIN: '0',
      OUT_DIR: out,
      BENCH_TIMEOUT_S: '160',
    };
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(process.execPath, ['bench/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '',
        stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, `bench exited with ${r.code}\n${r.stderr.slice(-3000)}`);

    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    assert.match(md, /\| scenario \| figure \| direct \(mock\) \| bare proxy \| Tollgate \| Tollgate vs bare \| target \| verdict \|/);
    assert.match(md, /\| messages JSON \| throughput, 10 conns \(req\/s\) \| [\d,.]+ \| [\d,.]+ \| [\d,.]+ \|/);
    assert.match(md, /\| messages JSON \| latency p50 \/ p90 \/ p99 @ 200 req\/s \(ms\) \|/);
    assert.match(md, /share the machine's \d+ cores/);
    assert.ok(r.stdout.includes('| scenario | figure |'), 'the table is printed on stdout');

    const jsonFile = readdirSync(out).find((f) => f.endsWith('.json'));
    assert.ok(jsonFile, 'raw results JSON written');
    const raw = JSON.parse(readFileSync(join(out, jsonFile), 'utf8'));
    for (const target of ['direct', 'bare', 'tollgate']) {
      const runs = raw.runs.filter((x: any) => x.target === target);
      assert.equal(runs.length, 2, `${target}: one closed-loop and one open-loop run`);
      for (const run of runs) assert.ok(run.requests > 0, `${target} ${run.phase}: completed requests`);
    }
    // Every Tollgate reply left a durable usage event.
    const tg = raw.runs.filter((x: any) => x.target === 'tollgate');
    for (const run of tg) assert.ok(run.usage_rows >= run.requests, `usage rows ${run.usage_rows} >= ${run.requests} replies`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
