/**
 * Phase `prof` (opt-in): a separate Tollgate with `--cpu-prof` under messages JSON + stream
 * saturation; the summary of its profile (top self time in Tollgate's own code, by package).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CFG, ROOT, STAMP, TMP, log, note } from '../lib/config.ts';
import { closedLoop } from '../lib/load.ts';
import { stopChild } from '../lib/procs.ts';
import { summarizeProfile, type ProfileSummary } from '../lib/profile.ts';
import { startTollgate, waitKey, type Targets } from '../lib/servers.ts';
import { pathOf, type Scenario } from '../lib/workload.ts';

export async function phaseProf(t: Targets): Promise<ProfileSummary | null> {
  const profDir = path.join(TMP, 'prof');
  fs.mkdirSync(profDir, { recursive: true });
  const s = await startTollgate('tollgate-prof', t.dbFile, t.direct, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  await waitKey(s, t.key);
  for (const scen of ['messages', 'messages-stream'] as Scenario[]) await closedLoop(`${s.url}${pathOf(scen)}`, scen, t.key, CFG.profSeconds / 2, CFG.conns);
  await stopChild(s.child, 20_000);
  const f = fs.readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
  if (!f) {
    note('no .cpuprofile was written by the profiled Tollgate');
    return null;
  }
  const keep = path.join(CFG.outDir, `${STAMP}-tollgate.cpuprofile`);
  fs.copyFileSync(path.join(profDir, f), keep);
  const p = summarizeProfile(keep, ROOT);
  log(`profile: ${keep} (${p.samples} samples over ${p.window_ms} ms after the first request)`);
  return p;
}
