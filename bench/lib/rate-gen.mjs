#!/usr/bin/env node
// Copied from the reference benchmark's rate generator (2026-11-26; bench/README.md). Changes for Tollgate's bench (marked "bench:"), nothing else:
//   - time to first body byte is recorded too (ttfb_ms from hand-off, co_ttfb_ms from the scheduled time);
//   - the body is read with a 'data' listener instead of dump() so the first chunk can be timed
//     (same cost for every target);
//   - responses are counted as ok only with a 2xx status (unchanged) and non-2xx statuses are sampled.
// Open-loop, constant-rate HTTP load generator (the part wrk2 would do; wrk2 is not packaged
// in Debian and autocannon -R is not a constant-rate generator, see RESULTS.md).
//
// Request i is scheduled at t0 + i/rate regardless of how earlier requests are doing, so a slow
// server cannot slow the generator down (no coordinated omission). Two latencies are kept:
//   lat     : from the moment the request was handed to undici to the end of the response body
//   co_lat  : from the request's *scheduled* time (wrk2-style, includes generator timer lag)
//
// Usage: node rate-gen.mjs '<json options>'
//   { "url": "http://127.0.0.1:18081/v1/chat/completions", "bodyFile": "...", "headers": {...},
//     "rate": 1000, "duration": 15, "warmup": 1, "connections": 256, "timeoutMs": 10000 }
// Prints one line: RATEJSON {...}

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const o = JSON.parse(process.argv[2]);
const url = new URL(o.url);
const body = readFileSync(o.bodyFile);
const headers = { 'content-type': 'application/json', ...(o.headers || {}) };
const rate = Number(o.rate);
const duration = Number(o.duration);
const warmup = Number(o.warmup ?? 1);
const timeoutMs = Number(o.timeoutMs ?? 10_000);
const pool = new Pool(url.origin, {
  connections: Number(o.connections ?? 256),
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
});

const interval = 1000 / rate;
const total = Math.round((warmup + duration) * rate);
const warmN = Math.round(warmup * rate);
const measN = total - warmN;
const lat = new Float64Array(measN);
const coLat = new Float64Array(measN);
const lag = new Float64Array(measN);
const ttfb = new Float64Array(measN); // bench
const coTtfb = new Float64Array(measN); // bench
const statusSamples = new Set(); // bench
let done = 0,
  ok = 0,
  non2xx = 0,
  errors = 0,
  inflight = 0,
  maxInflight = 0;
const errSamples = new Set();
const cpu0 = process.cpuUsage();

function fire(i, scheduled) {
  const sent = performance.now();
  inflight++;
  if (inflight > maxInflight) maxInflight = inflight;
  let first = 0; // bench: time of the first body chunk
  pool
    .request({ path: url.pathname + url.search, method: 'POST', headers, body })
    .then(
      (res) =>
        new Promise((resolve, reject) => {
          res.body.on('data', () => {
            if (!first) first = performance.now();
          });
          res.body.once('end', () => resolve(res.statusCode));
          res.body.once('error', reject);
        }),
    )
    .then(
      (status) => {
        const end = performance.now();
        if (status >= 200 && status < 300) ok += i >= warmN ? 1 : 0;
        else {
          if (i >= warmN) non2xx++;
          if (statusSamples.size < 5) statusSamples.add(status);
        }
        if (i >= warmN) {
          const k = i - warmN;
          lat[k] = end - sent;
          coLat[k] = end - scheduled;
          lag[k] = sent - scheduled;
          ttfb[k] = (first || end) - sent;
          coTtfb[k] = (first || end) - scheduled;
        }
      },
      (err) => {
        if (i >= warmN) {
          errors++;
          const k = i - warmN;
          lat[k] = coLat[k] = ttfb[k] = coTtfb[k] = NaN;
          lag[k] = sent - scheduled;
        }
        if (errSamples.size < 5) errSamples.add(String(err?.code || err?.message || err));
      },
    )
    .finally(() => {
      inflight--;
      done++;
      if (done === total) finish();
    });
}

let t0 = 0,
  measStart = 0,
  measEndSched = 0;
let i = 0;
function tick() {
  const now = performance.now();
  while (i < total) {
    const sched = t0 + i * interval;
    if (sched > now) break;
    if (i === warmN) measStart = sched;
    fire(i, sched);
    i++;
  }
  if (i < total) setTimeout(tick, Math.max(0, t0 + i * interval - performance.now() - 0.2));
  else measEndSched = t0 + total * interval;
}

let lastEnd = 0;
function pct(arr, ps) {
  const a = Array.from(arr)
    .filter((x) => Number.isFinite(x))
    .sort((x, y) => x - y);
  const out = {};
  for (const p of ps) out['p' + String(p).replace('.', '')] = a.length ? +a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)].toFixed(3) : null;
  out.max = a.length ? +a[a.length - 1].toFixed(3) : null;
  out.mean = a.length ? +(a.reduce((s, x) => s + x, 0) / a.length).toFixed(3) : null;
  return out;
}
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  lastEnd = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const measuredWall = (lastEnd - measStart) / 1000;
  const result = {
    url: o.url,
    target_rate: rate,
    scheduled: measN,
    ok,
    non2xx,
    errors,
    error_samples: [...errSamples],
    achieved_rps: +(ok / duration).toFixed(1),
    drain_s: +((lastEnd - measEndSched) / 1000).toFixed(3),
    measured_wall_s: +measuredWall.toFixed(3),
    max_inflight: maxInflight,
    lat_ms: pct(lat, [50, 90, 99, 99.9]),
    co_lat_ms: pct(coLat, [50, 90, 99, 99.9]),
    lag_ms: pct(lag, [50, 99]),
    ttfb_ms: pct(ttfb, [50, 90, 99, 99.9]), // bench
    co_ttfb_ms: pct(coTtfb, [50, 90, 99, 99.9]), // bench
    status_samples: [...statusSamples], // bench
    gen_cpu_ms: +((cpu.user + cpu.system) / 1000).toFixed(1),
  };
  if (o.timeline) {
    // per-second buckets of *scheduled* time: [count, p50, p99, max] of lat_ms
    const per = Math.round(rate);
    result.timeline = [];
    for (let s = 0; s < measN; s += per) {
      const t = pct(lat.subarray(s, Math.min(measN, s + per)), [50, 99]);
      result.timeline.push([t.p50, t.p99, t.max]);
    }
  }
  process.stdout.write('RATEJSON ' + JSON.stringify(result) + '\n');
  pool.close().finally(() => process.exit(0));
}

const hardStop = setTimeout(
  () => {
    console.error(`rate-gen: ${total - done} requests still in flight ${timeoutMs}ms after the end; giving up`);
    finish();
  },
  (warmup + duration) * 1000 + timeoutMs + 2000,
);
hardStop.unref();

t0 = performance.now() + 20;
setTimeout(tick, 20);
