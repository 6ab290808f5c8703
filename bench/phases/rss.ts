/**
 * Phase `rss`: fresh bare and Tollgate processes in front of a mock that paces SSE events, with
 * `rssStreams` client streams open at once; idle and peak RSS, KiB per open stream, and the upstream
 * connections the mock saw.
 */
import { CFG, log } from '../lib/config.ts';
import { closedLoop, type LoadResult } from '../lib/load.ts';
import { procCpuMs, procMem, procSockets, sleep, stopChild } from '../lib/procs.ts';
import { fmt } from '../lib/report.ts';
import { startBare, startMock, startTollgate, waitKey, type Server } from '../lib/servers.ts';

export async function phaseRss(dbFile: string, key: string) {
  const slow = await startMock('mock-slow', { MOCK_CHUNK_DELAY_MS: String(CFG.rssChunkDelayMs) });
  const results: Record<string, unknown> = {};
  try {
    for (const name of ['bare', 'tollgate'] as const) {
      const s: Server = name === 'bare' ? await startBare('bare-rss', slow) : await startTollgate('tollgate-rss', dbFile, slow);
      try {
        if (name === 'tollgate') await waitKey(s, key);
        // Warm (JIT, pools) with a second of JSON traffic, then let the heap settle.
        await closedLoop(`${s.url}/v1/messages`, 'messages', key, 1, 20, 'node');
        await sleep(500);
        const idle = procMem(s.child.pid);
        const sockIdle = procSockets(slow.child.pid);
        let peakRss = idle.rssKb,
          peakSock = 0;
        const sampler = setInterval(() => {
          const m = procMem(s.child.pid);
          if (m.rssKb > peakRss) peakRss = m.rssKb;
          const k = procSockets(slow.child.pid) - sockIdle;
          if (k > peakSock) peakSock = k;
        }, 100);
        const cpu0 = procCpuMs(s.child.pid);
        let res: LoadResult;
        try {
          res = await closedLoop(`${s.url}/v1/messages`, 'messages-stream', key, CFG.rssSeconds, CFG.rssStreams, 'node');
        } finally {
          clearInterval(sampler);
        }
        const cpuMs = procCpuMs(s.child.pid) - cpu0;
        const end = procMem(s.child.pid);
        const peak = Math.max(peakRss, end.hwmKb);
        results[name] = {
          idle_rss_mib: +(idle.rssKb / 1024).toFixed(1),
          peak_rss_mib: +(peak / 1024).toFixed(1),
          peak_sampled_rss_mib: +(peakRss / 1024).toFixed(1),
          vm_hwm_mib: +(end.hwmKb / 1024).toFixed(1),
          kib_per_open_stream: +((peak - idle.rssKb) / CFG.rssStreams).toFixed(1),
          streams_completed: res.requests,
          errors: res.errors,
          stream_p50_ms: res.lat_ms.p50,
          upstream_connections_peak: peakSock,
          cpu_us_per_stream: res.requests ? +((cpuMs * 1000) / res.requests).toFixed(0) : null,
        };
        log(
          `rss ${name}: idle ${fmt(idle.rssKb / 1024)} MiB, peak ${fmt(peak / 1024)} MiB with ${CFG.rssStreams} client streams ` +
            `(upstream connections at the mock: ${peakSock}), ${res.requests} streams done, ${res.errors} errors`,
        );
      } finally {
        await stopChild(s.child);
      }
    }
  } finally {
    await stopChild(slow.child);
  }
  return { client_streams: CFG.rssStreams, chunk_delay_ms: CFG.rssChunkDelayMs, seconds: CFG.rssSeconds, ...results };
}
