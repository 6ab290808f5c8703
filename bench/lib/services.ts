/**
 * The shared services some phases need: a fresh PostgreSQL database for the run (created once,
 * dropped at the end) and the local Redis (reachability, and the server's pid for its CPU).
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import pg from 'pg';
import { CFG, STAMP, log, note } from './config.ts';

let pgDb: { admin: string; url: string; name: string } | null = null;
let pgUnreachable = false;

/** The run's PostgreSQL database, created on first use; null (with a note) when PostgreSQL is unreachable. */
export async function pgDatabase(): Promise<{ url: string; name: string } | null> {
  if (pgDb) return pgDb;
  if (pgUnreachable) return null;
  const admin = new pg.Client({ connectionString: CFG.pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    pgUnreachable = true;
    note(`PostgreSQL not reachable at ${CFG.pgAdminUrl} (${(e as Error).message}); PostgreSQL figures skipped`);
    return null;
  }
  const name = `tollgate_bench_${STAMP.replace(/-/g, '').toLowerCase()}_${process.pid}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(CFG.pgAdminUrl);
  u.pathname = `/${name}`;
  pgDb = { admin: CFG.pgAdminUrl, url: u.toString(), name };
  log(`created PostgreSQL database ${name}`);
  return pgDb;
}

export async function dropPgDatabase(): Promise<void> {
  if (!pgDb) return;
  const admin = new pg.Client({ connectionString: pgDb.admin, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${pgDb.name} with (force)`);
    log(`dropped PostgreSQL database ${pgDb.name}`);
  } catch (e) {
    log(`could not drop PostgreSQL database ${pgDb.name}: ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => {});
    pgDb = null;
  }
}

/** The pid of the local redis-server (its CPU is part of what the shared limiter costs), if any. */
export function redisPid(): number | null {
  try {
    return (
      Number(
        String(execFileSync('pidof', ['redis-server'], { stdio: ['ignore', 'pipe', 'ignore'] }))
          .trim()
          .split(/\s+/)[0],
      ) || null
    );
  } catch {
    return null;
  }
}

export function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(String(d).startsWith('+PONG')));
  });
}
