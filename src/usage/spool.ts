/**
 * The local usage spool: an append-only file of usage events that were served but could not be
 * written to the database (it was down). An event is appended and fsync'ed before its response
 * is released, so a crash or restart loses nothing; at start-up the gateway replays the spool
 * files a dead process left for the same database (events are idempotent by request id, so a
 * replay that overlaps rows already written is harmless), then deletes them. A live process
 * empties its own file once everything in it has reached the database.
 *
 * One file per process: `usage-<database hash>-<pid>-<random>.jsonl`, one event per line, bigints
 * as `{"$n":"123"}`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UsageEventRow } from './event-row.ts';

export function encodeRow(row: UsageEventRow): string {
  return JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? { $n: v.toString() } : v));
}

export function decodeRow(line: string): UsageEventRow {
  return JSON.parse(line, (_k, v) => (v && typeof v === 'object' && typeof v.$n === 'string' && Object.keys(v).length === 1 ? BigInt(v.$n) : v));
}

/** Where the spool lives: configured, else next to a SQLite file, else ./data/spool. */
export function spoolDirFor(configured: string | undefined, databaseUrl: string, sqlite: boolean): string {
  if (configured) return configured;
  return sqlite ? join(dirname(databaseUrl.replace(/^sqlite:(\/\/)?/, '')), 'spool') : join('data', 'spool');
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class UsageSpool {
  readonly file: string;
  private prefix: string;
  private fh: FileHandle | undefined;
  private lines = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private dir: string,
    databaseUrl: string,
  ) {
    this.prefix = `usage-${createHash('sha256').update(databaseUrl).digest('hex').slice(0, 12)}-`;
    this.file = join(dir, `${this.prefix}${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
  }

  /** Events in this process's file that may not be in the database yet. */
  get spooled(): number {
    return this.lines;
  }

  /** Appends events and fsyncs them (serialised: one append at a time). */
  append(rows: UsageEventRow[]): Promise<void> {
    const run = async () => {
      if (!this.fh) {
        mkdirSync(this.dir, { recursive: true });
        this.fh = await open(this.file, 'a', 0o600);
      }
      await this.fh.write(rows.map((r) => encodeRow(r) + '\n').join(''));
      await this.fh.sync();
      this.lines += rows.length;
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => {});
    return p;
  }

  /** Everything spooled reached the database: empty the file. */
  clear(): Promise<void> {
    const run = async () => {
      if (!this.fh) return;
      await this.fh.close();
      this.fh = undefined;
      rmSync(this.file, { force: true });
      this.lines = 0;
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => {});
    return p;
  }

  /** Spool files of dead processes for this database (a restart's leftovers), oldest first. */
  orphans(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.startsWith(this.prefix) && n.endsWith('.jsonl'))
      .filter((n) => {
        const pid = Number(n.slice(this.prefix.length).split('-')[0]);
        return !(pid === process.pid || alive(pid)) || !Number.isSafeInteger(pid);
      })
      .map((n) => join(this.dir, n))
      .sort();
  }

  /** The events of a spool file (a torn last line — a crash mid-append — is skipped: its response was never released). */
  static read(file: string): UsageEventRow[] {
    const out: UsageEventRow[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(decodeRow(line));
      } catch {
        /* torn write */
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = undefined;
  }
}
