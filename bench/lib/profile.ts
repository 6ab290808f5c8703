/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks functions by self time, counting only
 * samples taken after the first request reached the gateway (so start-up compilation is left out).
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  fn: string;
  where: string;
  self_ms: number;
  self_pct: number;
}
export interface ProfileSummary {
  file: string;
  window_ms: number;
  samples: number;
  top_overall: ProfileRow[];
  top_tollgate: ProfileRow[];
  /** Tollgate functions by inclusive time (samples with the function anywhere on the stack). */
  inclusive_tollgate: ProfileRow[];
  by_package: Array<{ package: string; self_ms: number; self_pct: number }>;
}

/**
 * tsx hands V8 transformed code, so profile line numbers do not point into the .ts file; find the
 * function's definition in the source instead (first match; good enough to navigate).
 */
const srcCache = new Map<string, string[] | null>();
function lineOf(file: string, fn: string): number | null {
  if (!/^[A-Za-z_$][\w$]*$/.test(fn)) return null;
  let lines = srcCache.get(file);
  if (lines === undefined) {
    try {
      lines = fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    srcCache.set(file, lines);
  }
  if (!lines) return null;
  const res = [
    new RegExp(`\\bfunction\\*?\\s+${fn}\\b`),
    new RegExp(`^\\s*(?:export\\s+)?(?:public\\s+|private\\s+|protected\\s+)?(?:static\\s+)?(?:async\\s+)?(?:get\\s+|set\\s+)?\\*?${fn}\\s*(?:<[^>]*>)?\\(`),
    new RegExp(`\\b${fn}\\s*[:=]\\s*(?:async\\s*)?(?:\\([^)]*\\)|[A-Za-z_$][\\w$]*)\\s*(?::[^=]+)?=>`),
    new RegExp(`\\b${fn}\\s*[:=]\\s*(?:async\\s+)?function\\b`),
  ];
  for (const re of res) {
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return i + 1;
  }
  return null;
}

/** Where a frame lives: Tollgate's own code, a package, Node itself, or V8 pseudo-frames. */
function origin(url: string, root: string): { pkg: string; where: string } {
  if (!url) return { pkg: '(v8/native)', where: '' };
  const p = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 14).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { pkg, where: `${pkg}/${rest.slice(rest[0]!.startsWith('@') ? 2 : 1).join('/')}` };
  }
  if (p.startsWith('node:')) return { pkg: 'node (built-in)', where: p };
  if (p.startsWith(root + '/')) {
    const rel = p.slice(root.length + 1);
    return { pkg: rel.startsWith('src/') || rel.startsWith('dist/') ? 'tollgate src/' : rel.split('/')[0]!, where: rel };
  }
  return { pkg: 'other', where: p };
}

export function summarizeProfile(file: string, root: string, startFn = 'handleMessages', topN = 10): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const onPath = new Map<number, boolean>();
  const hasStart = (id: number): boolean => {
    const cached = onPath.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    const p = parent.get(id);
    const v = n.callFrame.functionName === startFn || (p !== undefined && hasStart(p));
    onPath.set(id, v);
    return v;
  };
  // Sample i lasts timeDeltas[i + 1] (the delta to the next sample); skip everything before the first request.
  const self = new Map<number, number>();
  let started = false;
  let window = 0;
  let count = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]!;
    if (!started) {
      if (!hasStart(id)) continue;
      started = true;
    }
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    window += dt;
    count++;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  // Inclusive time of Tollgate functions: each sample counts once per distinct function on its stack.
  const incl = new Map<string, number>();
  const keyOf = (cf: CallFrame) => `${cf.functionName || '(anonymous)'}|${cf.url}|${cf.lineNumber}`;
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (!(cf.url.includes('/src/') || cf.url.includes('/dist/')) || origin(cf.url, root).pkg !== 'tollgate src/') continue;
      const k = keyOf(cf);
      if (!seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + ms);
      }
    }
  }
  const fns = new Map<string, { fn: string; where: string; pkg: string; ms: number }>();
  const pkgs = new Map<string, number>();
  for (const [id, ms] of self) {
    const cf = byId.get(id)!.callFrame;
    const o = origin(cf.url, root);
    const name = cf.functionName || '(anonymous)';
    const key = keyOf(cf);
    let where = o.where;
    if (o.pkg === 'tollgate src/') {
      const ln = lineOf(path.join(root, o.where), name);
      if (ln) where += `:${ln}`;
    } else if (where && !o.where.startsWith('node:') && cf.lineNumber > 0) where += `:${cf.lineNumber + 1}`;
    const e = fns.get(key) ?? { fn: name, where, pkg: o.pkg, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    const pk = name === '(garbage collector)' ? '(garbage collector)' : name === '(idle)' ? '(idle)' : name === '(program)' ? '(program)' : o.pkg;
    pkgs.set(pk, (pkgs.get(pk) ?? 0) + ms);
  }
  const busy = window - (pkgs.get('(idle)') ?? 0);
  const row = (e: { fn: string; where: string; ms: number }): ProfileRow => ({
    fn: e.fn,
    where: e.where,
    self_ms: +e.ms.toFixed(1),
    self_pct: +((100 * e.ms) / busy).toFixed(1),
  });
  const sorted = [...fns.values()].filter((e) => e.fn !== '(idle)').sort((a, b) => b.ms - a.ms);
  return {
    file,
    window_ms: +window.toFixed(0),
    samples: count,
    top_overall: sorted.slice(0, topN).map(row),
    top_tollgate: sorted
      .filter((e) => e.pkg === 'tollgate src/')
      .slice(0, topN)
      .map(row),
    inclusive_tollgate: [...incl.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN + 5)
      .map(([k, ms]) => {
        const [fn, url] = k.split('|') as [string, string];
        const o = origin(url, root);
        const ln = lineOf(path.join(root, o.where), fn);
        return row({ fn, where: ln ? `${o.where}:${ln}` : o.where, ms });
      }),
    by_package: [...pkgs.entries()]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 14)
      .map(([k, v]) => ({ package: k, self_ms: +v.toFixed(1), self_pct: +((100 * v) / busy).toFixed(1) })),
  };
}
