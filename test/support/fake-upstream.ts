/**
 * Scriptable fake LLM upstream for the test suite (127.0.0.1, ephemeral port).
 *
 * By default it answers like the built-in simulator (same generators, both wire formats) and
 * records every request. Tests enqueue per-request behaviours with `script()` (consumed in
 * arrival order by every request except GET /healthz) and set the fallback with `setDefault()`.
 * See fake-behaviour.ts for the vocabulary (errors, forced usage, chunking, cuts, error events,
 * delays, hangs, text overrides).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SimState, errorBodyFor, newRequestId, pathOf, readBody, requestIdHeaders, routeSimulated, surfaceOf } from '../../src/providers/simulator/index.ts';
import type { SimResponse } from '../../src/providers/simulator/index.ts';
import { type Behaviour, type Plan, resolvePlan } from './fake-behaviour.ts';
import { deliver } from './fake-writer.ts';
import { type Clock, systemClock } from '../../src/core/clock.ts';

export type { Behaviour, Step, Plan, ChunkSizes, LineEnding } from './fake-behaviour.ts';

export interface RecordedRequest {
  method: string;
  /** Path without query string. */
  path: string;
  /** Full request target, query included. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: any;
  rawBody: string;
  /** The plan this request was served with. */
  plan: Plan;
  /** True once the client went away before the response finished. */
  aborted: boolean;
  /** True once the response was fully written. */
  finished: boolean;
}

export interface FakeUpstreamOptions {
  /** Clock for cache TTLs (default the system clock). */
  clock?: Clock;
  /** Generated reply length (code points). */
  textChars?: number;
  minCacheTokens?: number;
}

export interface FakeUpstream {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Open TCP connections (keep-alive sockets included). */
  readonly openConnections: number;
  /** Requests received whose response has neither finished nor been aborted. */
  readonly inFlight: number;
  /** Simulator state (prompt cache) behind the default behaviour. */
  readonly state: SimState;
  /** Enqueue behaviours, one per upcoming request. */
  script(...behaviours: Behaviour[]): void;
  /** Behaviour for requests when the queue is empty (initially normal). */
  setDefault(b: Behaviour): void;
  /** Clears queue, default, recorded requests and cache state. */
  reset(): void;
  /** Resolves with the recorded requests once at least `n` arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves when `cond()` holds (polled), rejects after `timeoutMs`. */
  waitFor(cond: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The response for a `json` plan: given body verbatim, or the surface's error envelope. */
function jsonResponse(path: string, json: NonNullable<Plan['json']>): SimResponse {
  const surface = surfaceOf(path);
  const rid = newRequestId();
  const body = json.body !== undefined ? json.body : json.status >= 400 ? errorBodyFor(surface, json.status, rid) : {};
  return {
    surface,
    status: json.status,
    headers: { 'content-type': 'application/json', ...requestIdHeaders(surface, rid) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const clock = opts.clock ?? systemClock;
  let state = new SimState({ minCacheTokens: opts.minCacheTokens });
  let queue: Behaviour[] = [];
  let fallback: Behaviour = { kind: 'normal' };
  let requests: RecordedRequest[] = [];
  let inFlight = 0;
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };

  const server = http.createServer(async (req, res) => {
    const path = pathOf(req.url);
    if (req.method === 'GET' && path === '/healthz') return res.end('ok');
    inFlight++;
    const plan = resolvePlan(queue.length ? queue.shift() : fallback);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      url: req.url ?? '/',
      headers: req.headers,
      body: undefined,
      rawBody: '',
      plan,
      aborted: false,
      finished: false,
    };
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) rec.aborted = true;
      notify();
    });
    res.on('finish', () => {
      rec.finished = true;
    });
    const raw = (await readBody(req)) ?? '';
    rec.rawBody = raw;
    rec.body = parseJson(raw);
    requests.push(rec);
    notify();
    if (plan.hang) return;
    try {
      const resp = plan.json
        ? jsonResponse(path, plan.json)
        : routeSimulated({ method: rec.method, path, headers: req.headers, rawBody: raw }, state, clock.now(), {
            text: plan.text,
            textChars: opts.textChars,
            usage: plan.usage,
            openaiUsage: plan.openaiUsage,
          });
      await deliver(res, resp, plan);
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake upstream failure: ${(e as Error).stack}`);
      } else res.destroy();
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      notify();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const waitFor = (cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> =>
    new Promise((resolve, reject) => {
      if (cond()) return resolve();
      const check = () => {
        if (!cond()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake upstream: timed out after ${timeoutMs}ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 10);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        waiters.delete(check);
      };
      waiters.add(check);
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get openConnections() {
      return sockets.size;
    },
    get inFlight() {
      return inFlight;
    },
    get state() {
      return state;
    },
    script: (...bs) => {
      queue.push(...bs);
    },
    setDefault: (b) => {
      fallback = b;
    },
    reset: () => {
      queue = [];
      fallback = { kind: 'normal' };
      requests = [];
      state = new SimState({ minCacheTokens: opts.minCacheTokens });
    },
    waitFor,
    waitForRequests: async (n, timeoutMs = 5000) => {
      try {
        await waitFor(() => requests.length >= n, timeoutMs, `${n} request(s)`);
      } catch (e) {
        throw new Error(`${(e as Error).message}; got ${requests.length}`);
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
