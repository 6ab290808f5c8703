/** The "also measured" table (phases other than core), the box speed check and the profile summary. */
import { CFG, CORES } from './config.ts';
import type { ProfileSummary } from './profile.ts';
import { fmt, type RunRecord } from './report.ts';

// biome-ignore lint/suspicious/noExplicitAny: bench driver: JSON read back from child processes and tools, shapes not worth a type
export function alsoTable(runs: RunRecord[], extra: Record<string, any>): string {
  const L: string[] = ['| also measured | bare proxy | Tollgate | note |', '|---|---:|---:|---|'];
  const sat = runs.filter((r) => r.phase === 'sat' && r.target === 'tollgate' && r.usage_rows !== undefined && r.scenario === 'messages');
  if (sat.length) {
    const rows = sat.reduce((s, r) => s + (r.usage_rows ?? 0), 0),
      ok = sat.reduce((s, r) => s + r.requests, 0);
    const perS = sat.reduce((s, r) => s + (r.usage_rows ?? 0) / CFG.satSeconds, 0) / sat.length;
    L.push(
      `| usage events durably written during messages-JSON saturation (events/s) | – | ${fmt(perS)} | ${rows.toLocaleString('en-US')} rows for ${ok.toLocaleString('en-US')} 2xx replies (client aborts at the end of a run are billed too) |`,
    );
  }
  if (extra.pool?.rows?.length) {
    for (const r of extra.pool.rows) {
      L.push(
        `| ${r.scenario}: CPU µs/req, one upstream → three-upstream pool | ${fmt(r.cpu_us_per_req.bare, 0)} | ${fmt(r.cpu_us_per_req.single, 0)} → ${fmt(r.cpu_us_per_req.pool, 0)} | ${r.single_vs_bare.toFixed(2)}× → ${r.pool_vs_bare.toFixed(2)}× bare; ${fmt(r.rps.single)} → ${fmt(r.rps.pool)} req/s (bare ${fmt(r.rps.bare)}); rows by upstream ${JSON.stringify(extra.pool.served_by_upstream)} |`,
      );
    }
  }
  if (extra.rss) {
    const r = extra.rss;
    L.push(
      `| peak RSS with ${r.client_streams} open client streams (MiB) | ${fmt(r.bare?.peak_rss_mib)} | ${fmt(r.tollgate?.peak_rss_mib)} | idle ${fmt(r.bare?.idle_rss_mib)} / ${fmt(r.tollgate?.idle_rss_mib)} MiB; ` +
        `≈ ${fmt(r.bare?.kib_per_open_stream)} / ${fmt(r.tollgate?.kib_per_open_stream)} KiB per stream; ${r.tollgate?.peak_rss_mib && r.bare?.peak_rss_mib ? (r.tollgate.peak_rss_mib / r.bare.peak_rss_mib).toFixed(2) + '× bare; ' : ''}` +
        `upstream connections peak ${r.bare?.upstream_connections_peak} / ${r.tollgate?.upstream_connections_peak} (SSE event every ${r.chunk_delay_ms} ms) |`,
    );
  }
  if (extra.pg && !extra.pg.skipped) {
    const p = extra.pg;
    L.push(
      `| messages JSON throughput, SQLite → PostgreSQL (req/s) | ${fmt(p.rps.bare)} | ${fmt(p.rps.sqlite)} → ${fmt(p.rps.postgres)} | PostgreSQL ${((100 * p.rps.postgres) / p.rps.sqlite).toFixed(0)} % of SQLite; Tollgate CPU µs/req ${fmt(p.cpu_us_per_req.sqlite, 0)} → ${fmt(p.cpu_us_per_req.postgres, 0)} (the PostgreSQL server's own CPU not included); p99 ${fmt(p.p99_ms.sqlite)} → ${fmt(p.p99_ms.postgres)} ms |`,
    );
  }
  if (extra.scale && !extra.scale.skipped) {
    const s = extra.scale,
      t = s.three_instances;
    L.push(
      `| three instances on Redis + PostgreSQL, messages JSON, aggregate (req/s) | ${fmt(s.bare.rps)} | ${fmt(t.rps)} | ${t.per_instance_rps.map((x: number) => fmt(x)).join(' + ')} req/s over ${t.connections} connections from one generator, all on this box's ${CORES} cores with the mock, PostgreSQL and Redis; ${fmt(t.cpu_us_per_req, 0)} µs CPU per request summed over the instances${t.redis_us_per_req !== null ? ` (+ ${fmt(t.redis_us_per_req, 0)} in redis-server)` : ''}; p99 ${fmt(t.p99_ms)} ms; ${t.errors} errors; ${s.usage_rows_written.toLocaleString('en-US')} usage events written |`,
    );
    L.push(
      `| shared limiter's cost per request (µs CPU): one instance with Redis − without | – | ${fmt(s.shared_limiter_cpu_us_per_req, 0)} | ${fmt(s.one_instance_local_limiter.cpu_us_per_req, 0)} → ${fmt(s.one_instance_redis.cpu_us_per_req, 0)} µs/req in the gateway${s.one_instance_redis.redis_us_per_req !== null ? `, plus ${fmt(s.one_instance_redis.redis_us_per_req, 0)} µs/req in redis-server` : ''}; ${fmt(s.one_instance_local_limiter.rps)} → ${fmt(s.one_instance_redis.rps)} req/s |`,
    );
  }
  if (extra.ingest?.length) {
    for (const j of extra.ingest)
      L.push(
        `| UsageWriter ingestion, ${j.database}, ${j.concurrency} waiting requests (events/s durable) | – | ${fmt(j.events_per_s)} | commit wait p50 ${fmt(j.durable_latency_ms.p50)} / p99 ${fmt(j.durable_latency_ms.p99)} ms; ${fmt(j.process_cpu_us_per_event, 0)} µs CPU per event |`,
      );
  }
  if (extra.agg) {
    const a = extra.agg;
    L.push(
      `| dashboard query over ${a.events.toLocaleString('en-US')} events: one org, one month, by day × model (ms) | – | ${fmt(a.rollup_usageByDay_ms.median)} | \`usageByDay\` on usage_daily (${a.usage_daily_rows.toLocaleString('en-US')} rows); the same aggregate from raw usage_events: ${fmt(a.raw_events_ms.median)} ms (${a.query.events_scanned_raw.toLocaleString('en-US')} events, ${(a.raw_events_ms.median / a.rollup_usageByDay_ms.median).toFixed(0)}× slower); results match: ${a.results_match ? 'yes' : '**NO**'}; load ${a.load_s} s |`,
    );
    if (a.all_orgs) L.push(`| same, all orgs (ms) | – | ${fmt(a.all_orgs.rollup_usageByDay_ms)} | raw usage_events: ${fmt(a.all_orgs.raw_events_ms)} ms |`);
  }
  if (extra.keys?.length) {
    for (const k of extra.keys) {
      L.push(
        `| key cache, ${k.keys.toLocaleString('en-US')} keys: heap per key (bytes) / start-up load (ms) | – | ${k.heap_bytes_per_key} / ${fmt(k.load_ms, 0)} | ${k.heap_mib} MiB in all; hot auth (SHA-256 + Map lookup) ${k.hot_auth_ns} ns; first use of a new key (database lookup) p50 ${k.miss_lookup_us.p50} µs; incremental reload of one revoked key p50 ${k.incremental_reload_us.p50} / p99 ${k.incremental_reload_us.p99} µs; revoked refused ${k.revoked_refused} |`,
      );
    }
  }
  return L.length > 2 ? L.join('\n') : '';
}

/** How slow is the box right now? The mock's CPU per request at direct saturation against the quiet reference run. */
export function speedNote(runs: RunRecord[]): string {
  const d = runs.filter((r) => r.phase === 'sat' && r.target === 'direct' && r.scenario === 'messages');
  if (!d.length) return '';
  const mock = d.reduce((s, r) => s + (r.cpu_us_per_req.mock ?? 0), 0) / d.length;
  return (
    ` Box speed check: the mock spent ${mock.toFixed(0)} µs CPU per messages-JSON request at direct saturation (17–21 µs on the quiet reference box, ` +
    `the reference run of 2026-11-26), so absolute CPU figures here are ~${(mock / 19).toFixed(1)}× the quiet-box ones; compare ratios.`
  );
}

export function profileMd(p: ProfileSummary): string {
  const L = [
    `CPU profile of Tollgate (\`--cpu-prof\`, ${p.samples} samples over ${(p.window_ms / 1000).toFixed(1)} s of messages JSON + stream saturation; % of busy time):`,
    '',
  ];
  L.push('| # | self % | function | where |', '|---:|---:|---|---|');
  for (const [i, r] of p.top_tollgate.entries()) L.push(`| ${i + 1} | ${r.self_pct} | \`${r.fn}\` | ${r.where} |`);
  L.push(
    '',
    'Inclusive (function anywhere on the stack): ' +
      p.inclusive_tollgate.map((r) => `\`${r.fn === '(anonymous)' ? `(anonymous in ${r.where})` : r.fn}\` ${r.self_pct} %`).join(', '),
  );
  L.push('', 'By package (self time): ' + p.by_package.map((x) => `${x.package} ${x.self_pct} %`).join(', '));
  L.push('', 'Top self time overall: ' + p.top_overall.map((r) => `\`${r.fn}\` (${r.where || 'native'}) ${r.self_pct} %`).join(', '));
  return L.join('\n');
}
