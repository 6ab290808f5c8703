/**
 * Process plumbing for the bench: free ports, children started (optionally pinned with taskset)
 * and stopped by pid, CPU and memory read from /proc, bounded child commands.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  log: string;
  cpus: string | null;
  /** The scope it was started in (see `openScope`). */
  scope: number;
}

/**
 * Scopes bound what a phase leaves behind: children and commands started while a scope is open
 * belong to it, and `stopScope` ends them all (a phase over its time budget).
 */
let scope = 0;
let scopes = 0;
export const openScope = (): number => (scope = ++scopes);
export const closeScope = (): void => {
  scope = 0;
};
const commands = new Map<ChildProcess, number>();

export interface StartOpts {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** taskset CPU list (e.g. "1"), or null for no pinning. */
  cpus?: string | null;
  logDir: string;
  onEarlyExit?: (c: Child, code: number | null, sig: NodeJS.Signals | null) => void;
}

const live = new Set<Child>();
let stopping = false;

/** Starts `cmd args` (exec'd through taskset when pinned, so the pid is the process itself). */
export function startChild(name: string, cmd: string, args: string[], o: StartOpts): Child {
  const log = `${o.logDir}/${name}.log`;
  const fd = fs.openSync(log, 'a');
  const cpus = o.cpus ?? null;
  const [c, a] = cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args];
  const proc = spawn(c, a, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const child: Child = { name, pid: proc.pid, proc, log, cpus, scope };
  live.add(child);
  proc.once('exit', (code, sig) => {
    const wasLive = live.delete(child);
    if (wasLive && !stopping) o.onEarlyExit?.(child, code, sig);
  });
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`, by pid. */
export async function stopChild(c: Child, graceMs = 5000): Promise<void> {
  if (!live.has(c)) return;
  live.delete(c);
  const exited = new Promise<void>((r) => (c.proc.exitCode !== null || c.proc.signalCode !== null ? r() : c.proc.once('exit', () => r())));
  try {
    process.kill(c.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
}

/** Stops every child and kills every command started in scope `s`, by pid. */
export async function stopScope(s: number): Promise<void> {
  for (const [p, sc] of commands)
    if (sc === s) {
      try {
        process.kill(p.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  await Promise.all([...live].filter((c) => c.scope === s).map((c) => stopChild(c, 3000)));
}

export async function stopAllChildren(): Promise<void> {
  stopping = true;
  await Promise.all([...live].map((c) => stopChild(c, 3000)));
  stopping = false;
}

/** user+sys CPU of one process (all its threads), in ms; NaN when it is gone. */
export function procCpuMs(pid: number): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** VmRSS and VmHWM (peak RSS) of a process, in KiB. */
export function procMem(pid: number): { rssKb: number; hwmKb: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

/** Open sockets of a process (counts /proc/<pid>/fd links to sockets). */
export function procSockets(pid: number): number {
  try {
    let n = 0;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        /* closed meanwhile */
      }
    }
    return n;
  } catch {
    return NaN;
  }
}

export function machineCpu(): { idle: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] || 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Busy CPU between two samples, percent of ONE core (so 2 cores = 200 %). */
export function machineBusyPct(a: { idle: number; total: number }, b: { idle: number; total: number }, cores: number): number {
  const dt = b.total - a.total;
  return dt > 0 ? 100 * cores * (1 - (b.idle - a.idle) / dt) : NaN;
}

export async function waitHttp(url: string, ms: number, init?: RequestInit): Promise<Response> {
  const t = Date.now();
  let last = '';
  while (Date.now() - t < ms) {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) return r;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String((e as Error).message);
    }
    await sleep(150);
  }
  throw new Error(`timeout after ${ms} ms waiting for ${url} (${last})`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface CmdResult {
  code: number | null;
  out: string;
  err: string;
  timedOut: boolean;
}

/** Runs a command to completion (killed after `timeoutMs`), optionally pinned. */
export function runCmd(
  cmd: string,
  args: string[],
  o: { cwd: string; env?: Record<string, string | undefined>; cpus?: string | null; timeoutMs: number },
): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const [c, a] = o.cpus ? ['taskset', ['-c', o.cpus, cmd, ...args]] : [cmd, args];
    const p = spawn(c, a, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    commands.set(p, scope);
    let out = '',
      err = '',
      timedOut = false;
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (err += d));
    const t = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(p.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, o.timeoutMs);
    p.on('error', (e) => {
      clearTimeout(t);
      commands.delete(p);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(t);
      commands.delete(p);
      resolve({ code, out, err, timedOut });
    });
  });
}
