/**
 * Starts a real Tollgate gateway for a test: a fresh database (a temp SQLite file, or a fresh
 * PostgreSQL database when DATABASE_URL names a server), an upstream URL (usually the fake
 * upstream), an injectable clock, and helpers to create orgs and keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startGateway, type Gateway } from '../../src/gateway.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { usdToPico } from '../../src/core/money.ts';

const run = promisify(execFile);
export const usePostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

/** A fresh, empty database URL for one test gateway, and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (usePostgres) {
    const base = new URL(process.env.DATABASE_URL!);
    const name = `tg_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: base.toString() });
        await c.connect();
        // Give closed pools a moment to disconnect before forcing the rest.
        for (let i = 0; i < 50; i++) {
          const r = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
          if (r.rows[0].n === 0) break;
          await new Promise((res) => setTimeout(res, 100));
        }
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  return { url: join(dir, 'tollgate.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestGateway {
  gw: Gateway;
  url: string;
  databaseUrl: string;
  env: Record<string, string>;
  accounts: AccountsService;
  ledger: Ledger;
  /**
   * Creates an org with `credits` USD (default 100) and a key; returns the secret. Rate limits are
   * generous unless `tierLimits` is set (then the usage tier's limits apply, as for a real org).
   */
  customer(opts?: {
    credits?: string;
    name?: string;
    tierLimits?: boolean;
  }): Promise<{ orgId: string; workspaceId: string; keyId: string; key: string; adminKeyId: string; adminKey: string }>;
  /** Runs the real `tollgate` CLI against this gateway's database; parses its --json output. */
  cli(...args: string[]): Promise<any>;
  close(): Promise<void>;
}

export async function startTestGateway(
  opts: { upstreamUrl?: string; openaiUpstreamUrl?: string; clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestGateway> {
  const db = await freshDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TOLLGATE_REFRESH_MS: '50',
    TOLLGATE_FREE_CREDITS_USD: '0',
    ...(opts.upstreamUrl ? { ANTHROPIC_API_KEY: 'sk-ant-upstream-secret', ANTHROPIC_BASE_URL: opts.upstreamUrl } : {}),
    ...(opts.openaiUpstreamUrl ? { OPENAI_API_KEY: 'sk-openai-upstream-secret', OPENAI_BASE_URL: `${opts.openaiUpstreamUrl}/v1` } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const gw = await startGateway(config, { clock: opts.clock, logger: createLogger(env.LOG_LEVEL!) });
  const clock = opts.clock ?? systemClock;
  const accounts = new AccountsService(gw.store.db, clock);
  const ledger = new Ledger(gw.store.db, clock);
  return {
    gw,
    url: gw.url,
    databaseUrl: db.url,
    env,
    accounts,
    ledger,
    async customer(o = {}) {
      const { org, defaultWorkspaceId } = await accounts.createOrg({ name: o.name ?? 'Test Org' });
      const credits = o.credits ?? '100';
      if (credits !== '0') await ledger.append({ orgId: org.id, kind: 'purchase', amount: usdToPico(credits) });
      if (!o.tierLimits) await accounts.updateOrg(org.id, { rateLimits: JSON.stringify({ rpm: 1_000_000, itpm: 1_000_000_000, otpm: 1_000_000_000 }) });
      const k = await accounts.createKey({ orgId: org.id });
      const admin = await accounts.createKey({ orgId: org.id, name: 'admin', kind: 'admin' });
      await gw.refresh();
      return { orgId: org.id, workspaceId: defaultWorkspaceId, keyId: k.id, key: k.key, adminKeyId: admin.id, adminKey: admin.key };
    },
    async cli(...args: string[]) {
      const { stdout } = await run(process.execPath, ['bin/tollgate.mjs', ...args, '--json'], { env: { ...process.env, ...env }, cwd: process.cwd() });
      return JSON.parse(stdout);
    },
    async close() {
      await gw.close();
      await db.drop();
    },
  };
}
