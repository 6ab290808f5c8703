/**
 * Opens the SQL store: one SQLite file (default) or PostgreSQL, behind one Kysely type.
 * Integers come back as bigint on both backends.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.ts';
import type { DB } from './schema.ts';
import type { Dialect } from './dialect.ts';
import { parseNumeric, registerSqliteMoney, wideSqlite } from './wide-money.ts';

export type { Dialect } from './dialect.ts';

export interface Store {
  db: Kysely<DB>;
  dialect: Dialect;
  url: string;
  /** The raw better-sqlite3 handle (SQLite only), for hot-path prepared statements. */
  sqlite?: import('better-sqlite3').Database;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export interface StoreOptions {
  /** SQLite: checkpoint the WAL from a worker thread instead of on commits (the gateway sets this). */
  backgroundCheckpoints?: boolean;
}

export async function openStore(url: string, opts: StoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(url)) {
    const pg = (await import('pg')).default;
    pg.types.setTypeParser(20, (v: string) => BigInt(v)); // int8
    pg.types.setTypeParser(1700, parseNumeric); // numeric: money columns and exact sums
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client losing its connection (server restart, admin termination) must not crash the
    // process: pg-pool emits it as an 'error' event, and an unhandled 'error' event throws.
    pool.on('error', (err) => process.emitWarning(`postgres idle client error: ${err.message}`));
    // A client checked out of the pool but between queries (inside a transaction) that loses its
    // connection emits 'error' on the client itself, where pg-pool listens only while it is idle:
    // without this listener a PostgreSQL restart can crash the gateway (test/scale/faults.pg-redis.test.ts).
    // The query that next uses it fails, and the pool drops the broken client.
    pool.on('connect', (client) => {
      client.on('error', (err) => process.emitWarning(`postgres client error: ${err.message}`));
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', url, close: () => db.destroy() };
  }
  const Database = (await import('better-sqlite3')).default;
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') {
    // The database holds hashes, the ledger and sealed secrets: readable by its owner only. A new
    // directory is 0700, a new file 0600, and SQLite gives its -wal and -shm files the file's mode.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  }
  const sqlite = new Database(file);
  sqlite.defaultSafeIntegers(true);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit is durable against process crashes (the WAL is written
  // before the commit returns); only a power loss can lose the last transactions.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  registerSqliteMoney(sqlite);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: wideSqlite(sqlite) }) });
  let checkpointer: Checkpointer | undefined;
  if (opts.backgroundCheckpoints && file !== ':memory:') {
    sqlite.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(file, createRequire(import.meta.url).resolve('better-sqlite3'), (m) => process.emitWarning(`sqlite checkpoint: ${m}`));
  }
  return {
    db,
    dialect: 'sqlite',
    url: file,
    sqlite,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
