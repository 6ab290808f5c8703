#!/usr/bin/env node
// Closed-loop HTTP load driver (the part `wrk -t1 -cN` does), for machines without wrk and for the
// open-streams memory phase. N workers each keep exactly one request in flight on their own
// keep-alive connection: send, read the whole body, send again, until `duration` seconds have passed.
// Latency is from hand-off to undici to the end of the body; ttfb to the first body chunk.
//
// Usage: node closed-loop.mjs '<json options>'
//   { "url": "http://127.0.0.1:18081/v1/messages", "bodyFile": "...", "headers": {...},
//     "connections": 50, "duration": 5, "timeoutMs": 10000 }
// or "urls": [...] instead of "url": the connections are dealt round-robin over the URLs (several
// gateway instances behind one load generator, as behind a load balancer); per_url counts each.
// Prints one line: CLJSON {...}
// Bounded: no request starts after `duration`; in-flight requests get `timeoutMs` more, then the
// process reports and exits anyway.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const o = JSON.parse(process.argv[2]);
const urls = (o.urls ?? [o.url]).map((u) => new URL(u));
const body = readFileSync(o.bodyFile);
const headers = { 'content-type': 'application/json', ...(o.headers || {}) };
const conns = Number(o.connections ?? 50);
const duration = Number(o.duration);
const timeoutMs = Number(o.timeoutMs ?? 10_000);
const pools = urls.map(
  (url, i) =>
    new Pool(url.origin, {
      connections: Math.ceil((conns - i) / urls.length),
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    }),
);
const perUrl = urls.map(() => 0);

let cap = 1 << 16;
let lat = new Float64Array(cap);
let ttfb = new Float64Array(cap);
let n = 0;
let ok = 0,
  non2xx = 0,
  errors = 0;
const errSamples = new Set();
const statusSamples = new Set();
const cpu0 = process.cpuUsage();

function push(l, t) {
  if (n === cap) {
    cap *= 2;
    const a = new Float64Array(cap);
    a.set(lat);
    lat = a;
    const b = new Float64Array(cap);
    b.set(ttfb);
    ttfb = b;
  }
  lat[n] = l;
  ttfb[n] = t;
  n++;
}

function one(w) {
  const sent = performance.now();
  let first = 0;
  const u = w % urls.length;
  return pools[u]
    .request({ path: urls[u].pathname + urls[u].search, method: 'POST', headers, body })
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
        if (status >= 200 && status < 300) {
          ok++;
          push(end - sent, (first || end) - sent);
          return true;
        }
        non2xx++;
        if (statusSamples.size < 5) statusSamples.add(status);
        return false;
      },
      (err) => {
        errors++;
        if (errSamples.size < 5) errSamples.add(String(err?.code || err?.message || err));
        return false;
      },
    );
}

function pct(arr, len, ps) {
  const a = Float64Array.from(arr.subarray(0, len)).sort();
  const out = {};
  for (const p of ps) out['p' + String(p).replace('.', '')] = a.length ? +a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)].toFixed(3) : null;
  out.max = a.length ? +a[a.length - 1].toFixed(3) : null;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  out.mean = a.length ? +(s / a.length).toFixed(3) : null;
  return out;
}

let finished = false;
let t0 = 0,
  tEnd = 0;
function finish(reason) {
  if (finished) return;
  finished = true;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const result = {
    url: o.url ?? o.urls,
    connections: conns,
    per_url: perUrl,
    duration_s: duration,
    wall_s: +wall.toFixed(3),
    reason,
    requests: ok,
    non2xx,
    errors,
    error_samples: [...errSamples],
    status_samples: [...statusSamples],
    // Throughput over the issuing window (requests completed by its end, like wrk).
    rps: +(doneInWindow / duration).toFixed(1),
    lat_ms: pct(lat, n, [50, 90, 99, 99.9]),
    ttfb_ms: pct(ttfb, n, [50, 90, 99, 99.9]),
    gen_cpu_ms: +((cpu.user + cpu.system) / 1000).toFixed(1),
  };
  process.stdout.write('CLJSON ' + JSON.stringify(result) + '\n');
  Promise.allSettled(pools.map((p) => p.destroy())).finally(() => process.exit(0));
}

let doneInWindow = 0;
async function worker(_, w) {
  while (performance.now() < tEnd) {
    const good = await one(w);
    if (good && performance.now() <= tEnd) {
      doneInWindow++;
      perUrl[w % urls.length]++;
    } else if (!good) await new Promise((r) => setTimeout(r, 5)); // don't spin on a failing target
  }
}

t0 = performance.now();
tEnd = t0 + duration * 1000;
const hard = setTimeout(() => finish('timeout'), duration * 1000 + timeoutMs + 2000);
hard.unref();
Promise.all(Array.from({ length: conns }, worker)).then(() => finish('done'));
