/**
 * Scale-out under faults (issue 9): three gateway processes on one private PostgreSQL and one
 * private Redis, driven by both official SDKs (streamed and not) for two customers — one with a
 * small monthly cap, one with a small prepaid balance — while one instance is killed with SIGKILL
 * and restarted, Redis is killed and restarted empty, and PostgreSQL is restarted.
 *
 * What must hold (README "What is billed when things go wrong", "Scaling out"):
 *  - every response a client received has exactly one usage event (matched by request id);
 *  - no request is billed twice, and the only events without a received response are requests
 *    whose connection broke (the killed instance);
 *  - the cap and the balance are not overshot, to the pico-dollar;
 *  - while Redis or the database is away, clients get a 503 in their surface's envelope
 *    (`limiter_unavailable` / `usage_store_unavailable`) — never a served-but-unbilled answer, never a 500.
 *
 * Selected only in the PostgreSQL + Redis pass (`.pg-redis.test.ts`, scripts/run-tests.mjs); it
 * starts its own PostgreSQL and Redis, so the shared services are never stopped.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { sql } from 'kysely';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { startGatewayProcess } from '../support/gateway-process.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../support/private-services.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { LimitsService } from '../../src/limits/service.ts';
import { usdToPico } from '../../src/core/money.ts';
import { systemClock } from '../../src/core/clock.ts';

const CAP = usdToPico('0.30');
const BALANCE = usdToPico('0.30');

let pg: PrivatePostgres | undefined;
let redis: PrivateRedis | undefined;
let fake: FakeUpstream | undefined;
const procs = new Set<ChildProcess>();
const dirs: string[] = [];
after(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await fake?.close();
  await redis?.destroy();
  await pg?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Instance {
  url: string | null;
  proc?: ChildProcess;
  spool: string;
  output(): string;
}
type Sdk = 'anthropic' | 'openai';
interface Outcome {
  org: 'capped' | 'prepaid';
  sdk: Sdk;
  stream: boolean;
  phase: string;
  ok: boolean;
  requestId?: string;
  status?: number;
  code?: string;
  type?: string;
  connection?: boolean;
  detail?: string;
}

async function seed(url: string) {
  const s = await openStore(url);
  try {
    await migrate(s);
    const accounts = new AccountsService(s.db, systemClock);
    const ledger = new Ledger(s.db, systemClock);
    const generous = JSON.stringify({ rpm: 1_000_000, itpm: 1_000_000_000, otpm: 1_000_000_000 });
    const mk = async (name: string, credits: bigint) => {
      const { org } = await accounts.createOrg({ name });
      await ledger.append({ orgId: org.id, kind: 'purchase', amount: credits });
      await accounts.updateOrg(org.id, { rateLimits: generous });
      return { orgId: org.id, key: (await accounts.createKey({ orgId: org.id })).key };
    };
    const capped = await mk('Capped', usdToPico('100'));
    await new LimitsService(s.db, systemClock).set({ orgId: capped.orgId, scope: 'org', scopeId: capped.orgId, monthly: CAP });
    const prepaid = await mk('Prepaid', BALANCE);
    return { capped, prepaid };
  } finally {
    await s.close();
  }
}

/** One request through an official SDK; the outcome as the client saw it. */
async function call(url: string, key: string, sdk: Sdk, stream: boolean): Promise<Omit<Outcome, 'org' | 'phase'>> {
  const base = { sdk, stream };
  try {
    if (sdk === 'anthropic') {
      const c = new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0, timeout: 30_000 });
      const ask = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Tell me about toll roads.' }] };
      if (stream) {
        const { data, response } = await c.messages.create({ ...ask, stream: true }).withResponse();
        let stopped = false;
        for await (const ev of data) if (ev.type === 'message_stop') stopped = true;
        if (!stopped) return { ...base, ok: false, detail: 'stream ended without message_stop' };
        return { ...base, ok: true, requestId: response.headers.get('request-id')! };
      }
      const { data, response } = await c.messages.create(ask).withResponse();
      assert.equal(data.type, 'message');
      return { ...base, ok: true, requestId: response.headers.get('request-id')! };
    }
    const c = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0, timeout: 30_000 });
    const ask = { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Tell me about toll roads.' }] };
    if (stream) {
      const { data, response } = await c.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } }).withResponse();
      let finished = false;
      for await (const ch of data) if (ch.choices[0]?.finish_reason) finished = true;
      if (!finished) return { ...base, ok: false, detail: 'stream ended without finish_reason' };
      return { ...base, ok: true, requestId: response.headers.get('x-request-id')! };
    }
    const { data, response } = await c.chat.completions.create(ask).withResponse();
    assert.equal(data.object, 'chat.completion');
    return { ...base, ok: true, requestId: response.headers.get('x-request-id')! };
  } catch (e: any) {
    if (e instanceof Anthropic.APIConnectionError || e instanceof OpenAI.APIConnectionError) return { ...base, ok: false, connection: true, detail: e.message };
    if (e instanceof Anthropic.APIError || e instanceof OpenAI.APIError) {
      const body: any = (e as any).error;
      // Anthropic: {type:'error', error:{type, message, details:{error_code}}}; OpenAI: {message, type, code}.
      const type = sdk === 'anthropic' ? body?.error?.type : body?.type;
      const code = sdk === 'anthropic' ? body?.error?.details?.error_code : (e as any).code;
      if (e.status === undefined) return { ...base, ok: false, connection: true, detail: e.message }; // a stream cut mid-way
      return { ...base, ok: false, status: e.status, type, code, detail: e.message };
    }
    return { ...base, ok: false, connection: true, detail: String(e?.message ?? e) };
  }
}

test('three instances under load from both SDKs: kill -9 one, restart Redis, restart PostgreSQL — billed once, caps hold, 503s while away', async (t) => {
  pg = await startPrivatePostgres();
  redis = await startPrivateRedis();
  fake = await startFakeUpstream({ textChars: 300 });
  fake.setDefault({ kind: 'delay', headersMs: 40, betweenEventsMs: 3 });
  const orgs = await seed(pg.url);

  const env = (spool: string) => ({
    DATABASE_URL: pg!.url,
    REDIS_URL: redis!.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    ANTHROPIC_API_KEY: 'sk-ant-upstream',
    ANTHROPIC_BASE_URL: fake!.url,
    OPENAI_API_KEY: 'sk-openai-upstream',
    OPENAI_BASE_URL: `${fake!.url}/v1`,
    TOLLGATE_FREE_CREDITS_USD: '0',
    TOLLGATE_REFRESH_MS: '100',
    TOLLGATE_HOLD_TTL_MS: '20000',
    TOLLGATE_SPOOL_DIR: spool,
  });
  const boot = async (inst: Instance) => {
    const g = await startGatewayProcess(env(inst.spool));
    procs.add(g.proc);
    Object.assign(inst, { url: g.url, proc: g.proc, output: g.output });
  };
  const instances: Instance[] = [];
  for (let i = 0; i < 3; i++) {
    const spool = mkdtempSync(join(tmpdir(), `tollgate-spool-${i}-`));
    dirs.push(spool);
    instances.push({ url: null, spool, output: () => '' });
  }
  await Promise.all(instances.map(boot));

  // --- load: 8 workers (2 customers × 2 SDKs × streamed or not), each rotating over the live instances
  const outcomes: Outcome[] = [];
  let phase = 'warm-up';
  let stop = false;
  const okCount = () => outcomes.filter((o) => o.ok).length;
  const worker = async (org: 'capped' | 'prepaid', sdk: Sdk, stream: boolean, w: number) => {
    for (let k = w; !stop; k++) {
      const live = instances.filter((x) => x.url);
      const inst = live[k % live.length]!;
      const p = phase;
      const o = await call(inst.url!, orgs[org].key, sdk, stream);
      outcomes.push({ ...o, org, phase: p });
      await sleep(o.ok ? 60 : 150);
    }
  };
  const workers: Promise<void>[] = [];
  let w = 0;
  for (const org of ['capped', 'prepaid'] as const)
    for (const sdk of ['anthropic', 'openai'] as const) for (const stream of [false, true]) workers.push(worker(org, sdk, stream, w++));
  const until = async (what: string, cond: () => boolean, ms = 90_000) => {
    const t = Date.now();
    while (!cond()) {
      if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}; outcomes so far: ${JSON.stringify(summary(outcomes))}`);
      await sleep(50);
    }
  };
  const more = async (n: number) => {
    const target = okCount() + n;
    await until(`${n} more answers (${phase})`, () => okCount() >= target);
  };

  await more(30);
  // 1. kill -9 one instance under load, then start it again on the same database, Redis and spool.
  phase = 'kill-9';
  const victim = instances[2]!;
  victim.url = null;
  victim.proc!.kill('SIGKILL');
  await once(victim.proc!, 'exit');
  await more(10);
  await boot(victim);
  phase = 'after-kill';
  await more(20);
  // 2. Redis killed and started empty: holds in flight are rebuilt, admission is fenced meanwhile.
  phase = 'redis-restart';
  await redis.restart(1000);
  await sleep(3500); // the recovery fence (3 s) and ioredis's reconnection
  phase = 'after-redis';
  await more(20);
  // 3. PostgreSQL restarted (fast shutdown: every connection is cut).
  phase = 'pg-restart';
  await pg.restart(1500);
  await sleep(1000);
  phase = 'after-pg';
  await more(20);
  // 4. Spend until both customers hit their cap / balance.
  phase = 'drain';
  const refused = (org: string, code: string) => outcomes.some((o) => o.org === org && o.code === code);
  await until('both customers refused at their cap / balance', () => refused('capped', 'usage_limit_reached') && refused('prepaid', 'credit_balance_too_low'));
  stop = true;
  await Promise.all(workers);

  // Usage spooled while the database was away is replayed by each instance once it answers.
  await until('spools replayed', () => instances.every((x) => readdirSync(x.spool).filter((f) => f.endsWith('.jsonl')).length === 0), 60_000);
  for (const x of instances) {
    for (
      let i = 0;
      !(await fetch(`${x.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      assert.ok(
        i < 300 && x.proc!.exitCode === null && x.proc!.signalCode === null,
        `instance ${x.url} not ready again (exit ${x.proc!.exitCode ?? x.proc!.signalCode}): ${await fetch(`${x.url}/readyz`).then((r) => r.text(), String)}\n${x.output().slice(-4000)}`,
      );
      await sleep(100);
    }
  }

  const s = await openStore(pg.url);
  let events: Array<{ id: string; org_id: string; cost: bigint }>;
  let dupes: unknown[];
  let dead: unknown[];
  try {
    dead = await s.db.selectFrom('usage_dead_letters').select(['id', 'error']).execute();
    events = (await s.db.selectFrom('usage_events').select(['id', 'org_id', 'cost']).execute()).map((e) => ({ ...e, cost: BigInt(e.cost) }));
    dupes = (await sql`select id from usage_events group by id having count(*) > 1`.execute(s.db)).rows;
  } finally {
    await s.close();
  }
  const byId = new Map(events.map((e) => [e.id, e]));
  const ok = outcomes.filter((o) => o.ok);
  const total = (org: string) => events.filter((e) => e.org_id === org).reduce((a, e) => a + e.cost, 0n);
  const report = JSON.stringify(summary(outcomes));
  t.diagnostic(`outcomes ${report}; billed capped ${total(orgs.capped.orgId)} / ${CAP}, prepaid ${total(orgs.prepaid.orgId)} / ${BALANCE} pico-USD`);
  // Each instance alive at the Redis restart noticed it and re-registered its holds in flight.
  const noticed = instances.filter((x) => /Redis restarted empty/.test(x.output())).length;
  assert.ok(noticed >= 1, 'an instance logged the Redis restart');

  // Every answer a client received is billed exactly once, to the right customer.
  assert.deepEqual(dupes, []);
  const unbilled = ok.filter((o) => !byId.has(o.requestId!));
  // A row caught in the database restart is retried, never parked as refused.
  assert.deepEqual(dead, [], 'dead-lettered during the restarts');
  const logOf = (id: string) =>
    instances
      .flatMap((x) => x.output().split('\n'))
      .filter((l) => l.includes(id))
      .join('\n');
  assert.deepEqual(
    unbilled.map((o) => `${o.sdk}/${o.stream}/${o.phase}/${o.requestId}`),
    [],
    `served but not billed\n${unbilled.map((o) => logOf(o.requestId!)).join('\n')}`,
  );
  for (const o of ok) assert.equal(byId.get(o.requestId!)!.org_id, orgs[o.org].orgId);
  // Events without a received answer: only requests whose connection broke (the killed instance, a cut stream).
  const answered = new Set(ok.map((o) => o.requestId));
  const extra = events.filter((e) => !answered.has(e.id)).length;
  const broken = outcomes.filter((o) => o.connection || o.detail?.startsWith('stream ended')).length;
  assert.ok(extra <= broken, `${extra} events without an answer, ${broken} broken connections; ${report}`);

  // Caps and balances hold to the pico-dollar.
  assert.ok(total(orgs.capped.orgId) <= CAP, `capped org billed ${total(orgs.capped.orgId)} > ${CAP}`);
  assert.ok(total(orgs.prepaid.orgId) <= BALANCE, `prepaid org billed ${total(orgs.prepaid.orgId)} > ${BALANCE}`);

  // Every refusal is a documented one, in the surface's envelope; never a 500.
  const documented = (o: Outcome) =>
    o.connection ||
    o.detail?.startsWith('stream ended') ||
    (o.status === 503 &&
      ['limiter_unavailable', 'usage_store_unavailable'].includes(o.code!) &&
      o.type === (o.sdk === 'anthropic' ? 'overloaded_error' : 'server_error')) ||
    (o.status === 400 && ['usage_limit_reached', 'credit_balance_too_low'].includes(o.code!) && o.type === 'invalid_request_error');
  const odd = outcomes.filter((o) => !o.ok && !documented(o));
  assert.deepEqual(odd, [], `undocumented failures; ${report}`);
  // Clients noticed each outage, as the documented 503s.
  assert.ok(
    outcomes.some((o) => o.phase === 'redis-restart' && o.code === 'limiter_unavailable'),
    `no limiter_unavailable while Redis was away; ${report}`,
  );
  assert.ok(
    outcomes.some((o) => o.phase === 'pg-restart' && o.code === 'usage_store_unavailable'),
    `no usage_store_unavailable while PostgreSQL was away; ${report}`,
  );
  // Both SDKs were served in every phase after a fault.
  for (const p of ['after-kill', 'after-redis', 'after-pg'])
    for (const sdk of ['anthropic', 'openai'])
      assert.ok(
        ok.some((o) => o.phase === p && o.sdk === sdk),
        `${sdk} served in ${p}; ${report}`,
      );
});

function summary(outcomes: Outcome[]) {
  const m: Record<string, number> = {};
  for (const o of outcomes) {
    const k = `${o.phase} ${o.ok ? 'ok' : o.connection ? 'connection' : `${o.status ?? ''} ${o.code ?? o.detail ?? ''}`}`;
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
}
