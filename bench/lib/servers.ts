/**
 * The processes under test: the mock upstream, the bare proxy and Tollgate as `npm start` runs it
 * (scripts/start.mjs → dist/main.js, built by bench/start.mjs), and the customer every Tollgate
 * serves, created with the compiled CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOGS, ROOT, TMP, log, pinFor } from './config.ts';
import { freePort, runCmd, sleep, startChild, waitHttp, type Child } from './procs.ts';
import { body, headers } from './workload.ts';

export interface Server {
  name: string;
  child: Child;
  port: number;
  url: string;
}

/** Set when a child dies while the bench still needs it; the phases check it between runs. */
export let failedEarly: string | null = null;

function start(name: string, args: string[], extraEnv: Record<string, string>, role: 'mock' | 'proxy', port: number): Server {
  const child = startChild(name, process.execPath, args, {
    cwd: ROOT,
    env: extraEnv,
    cpus: pinFor(role),
    logDir: LOGS,
    onEarlyExit: (c, code, sig) => {
      failedEarly = `${c.name} (pid ${c.pid}) exited early: code=${code} signal=${sig}; see ${c.log}`;
      log(`!! ${failedEarly}`);
    },
  });
  return { name, child, port, url: `http://127.0.0.1:${port}` };
}

export async function startMock(name: string, extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const s = start(name, ['bench/ref/mock-upstream.mjs', String(port)], extra, 'mock', port);
  await waitHttp(`${s.url}/healthz`, 20_000);
  return s;
}

export async function startBare(name: string, upstream: Server, extra: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const s = start(name, ['bench/ref/bare-proxy.mjs', String(port)], { UPSTREAM: upstream.url, ...extra }, 'proxy', port);
  await waitHttp(`${upstream.url}/healthz`, 20_000);
  await waitHttp(`${s.url}/healthz`, 20_000);
  return s;
}

/** A tiers file that admits everything: the limiter and the reservations still run, they never refuse. */
function generousTiers(): string {
  const f = path.join(TMP, 'tiers.json');
  if (fs.existsSync(f)) return f;
  const big = { rpm: 1_000_000_000, itpm: 1_000_000_000_000, otpm: 1_000_000_000_000 };
  fs.writeFileSync(f, JSON.stringify({ tiers: [{ tier: 1, name: 'Bench', minSpendUsd: '0', monthlySpendCapUsd: null, limits: { default: big } }] }));
  return f;
}

export const UPSTREAM_KEYS = { anthropic: 'sk-ant-bench-upstream', openai: 'sk-openai-bench-upstream' };

function tollgateEnv(port: number, databaseUrl: string, upstream: Server): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    TOLLGATE_FREE_CREDITS_USD: '0',
    ANTHROPIC_API_KEY: UPSTREAM_KEYS.anthropic,
    ANTHROPIC_BASE_URL: upstream.url,
    OPENAI_API_KEY: UPSTREAM_KEYS.openai,
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    TOLLGATE_TIERS_FILE: generousTiers(),
    // The per-org concurrency guard runs (counting every request) but never refuses: the RSS phase
    // holds 1,000 streams of one org open.
    TOLLGATE_MAX_CONCURRENT_PER_ORG: '1000000',
    // dist/ is fresh (bench/start.mjs built it): scripts/start.mjs skips its staleness walk.
    TOLLGATE_NO_BUILD: '1',
  };
}

/** Tollgate exactly as `npm start` runs it: scripts/start.mjs (source maps on) importing dist/main.js. */
export async function startTollgate(
  name: string,
  databaseUrl: string,
  upstream: Server,
  nodeFlags: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<Server> {
  const port = await freePort();
  const s = start(name, [...nodeFlags, 'scripts/start.mjs'], { ...tollgateEnv(port, databaseUrl, upstream), ...extraEnv }, 'proxy', port);
  await waitHttp(`${s.url}/healthz`, 300_000); // a loaded 2-core box has taken minutes
  return s;
}

async function cli(databaseUrl: string, args: string[]): Promise<{ id?: string; key?: string }> {
  // The compiled CLI (built with the gateway): no TypeScript loader to start on a loaded box.
  const r = await runCmd(process.execPath, ['dist/cli/main.js', ...args, '--json'], {
    cwd: ROOT,
    env: { DATABASE_URL: databaseUrl, TOLLGATE_FREE_CREDITS_USD: '0', LOG_LEVEL: 'warn' },
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`tollgate ${args.join(' ')} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.err || r.out}`);
  return JSON.parse(r.out);
}

export interface Customer {
  orgId: string;
  key: string;
}

/** Creates the customer with the CLI (org with 100,000 USD of credits, no spend cap, one key). */
export async function provision(databaseUrl: string): Promise<Customer> {
  const org = await cli(databaseUrl, ['org', 'create', '--name', 'Bench', '--credits', '100000']);
  const key = await cli(databaseUrl, ['key', 'create', '--org', String(org.id), '--name', 'bench']);
  return { orgId: String(org.id), key: String(key.key) };
}

/** Waits until the gateway has picked up the key (it polls the change log every ~250 ms). */
export async function waitKey(s: Server, key: string): Promise<void> {
  const t = Date.now();
  let last = 0;
  while (Date.now() - t < 20_000) {
    const r = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers('messages', key) },
      body: JSON.stringify(body('messages')),
    });
    await r.arrayBuffer();
    last = r.status;
    if (r.status !== 401 && r.status !== 403) return;
    await sleep(100);
  }
  throw new Error(`${s.name} still refuses the bench key after 20 s (HTTP ${last})`);
}

/** The core targets every in-process phase shares: mock, bare proxy, Tollgate on a SQLite file. */
export interface Targets {
  direct: Server;
  bare: Server;
  tollgate: Server;
  dbFile: string;
  key: string;
}

export async function startTargets(): Promise<Targets> {
  const dbFile = path.join(TMP, 'tollgate.db');
  const mock = await startMock('mock');
  const bare = await startBare('bare', mock);
  const tollgate = await startTollgate('tollgate', dbFile, mock);
  log(`servers up: mock ${mock.url} (pid ${mock.child.pid}), bare ${bare.url} (pid ${bare.child.pid}), tollgate ${tollgate.url} (pid ${tollgate.child.pid})`);
  const cust = await provision(dbFile);
  await waitKey(tollgate, cust.key);
  log(`customer ${cust.orgId} created with the CLI (100,000 USD credits, no spend cap; tiers file with unreachable limits)`);
  return { direct: mock, bare, tollgate, dbFile, key: cust.key };
}
