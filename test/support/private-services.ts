/**
 * A private PostgreSQL cluster and a private Redis for tests that stop, kill and restart them
 * (the shared services on 5432 / 6379 are never touched). PostgreSQL comes from the binaries of
 * the Debian/Ubuntu packages (/usr/lib/postgresql/<version>/bin); as root, the cluster is created
 * and run as the `postgres` user, because PostgreSQL refuses to run as root. Redis keeps nothing
 * on disk (`--save "" --appendonly no`) unless asked to: a restart starts empty, as a crashed cache would.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** A free TCP port on 127.0.0.1 (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as import('node:net').AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A child that has not exited yet (a signalled child keeps `exitCode` null). */
const running = (p: ChildProcess | undefined): p is ChildProcess => !!p && p.exitCode === null && p.signalCode === null;

/** The newest installed PostgreSQL's bin directory; throws (never skips) when there is none. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root} (install the postgresql package)`);
  return join(root, versions[0]!, 'bin');
}

function asPostgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
}

export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops (fast shutdown: open sessions are cut) and starts again on the same data and port. */
  restart(downMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const ids = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'));
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid!);
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (cmd: string, args: string[]) => execFileSync(join(bin, cmd), args, { ...ids, stdio: 'pipe', cwd: dir });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  let proc: ChildProcess | undefined;
  const ready = async () => {
    for (let i = 0; i < 300; i++) {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('private PostgreSQL did not become ready');
  };
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      proc = spawn(
        join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
        { ...ids, stdio: 'ignore', cwd: dir },
      );
      await ready();
    },
    async stop() {
      if (!running(proc)) return;
      const p = proc;
      p.kill('SIGINT'); // fast shutdown
      await once(p, 'exit');
    },
    async restart(downMs = 1500) {
      await pg.stop();
      await sleep(downMs);
      await pg.start();
    },
    async destroy() {
      if (running(proc)) {
        proc.kill('SIGKILL');
        await once(proc, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: its memory is gone) and starts an empty one on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** `persist`: an append-only file fsync'ed on every write, so a restart keeps the data (an outage, not a loss). */
export async function startPrivateRedis(opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        '--dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    for (let i = 0; i < 300 && !/Ready to accept connections/.test(out); i++) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
      await sleep(50);
    }
    if (!/Ready to accept connections/.test(out)) throw new Error(`redis-server did not start: ${out}`);
  };
  const stop = async () => {
    if (!running(proc)) return;
    const p = proc;
    p.kill('SIGKILL');
    await once(p, 'exit');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1000) {
      await stop();
      await sleep(downMs);
      await start();
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
