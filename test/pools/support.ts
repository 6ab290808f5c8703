/**
 * Pools under test: a gateway whose upstreams come from a config file (several per model, with
 * priorities, weights and timeouts), plus upstreams that fail below HTTP: a port nobody listens
 * on (connection refused) and a server that resets every connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/core/clock.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

export async function poolGateway(file: Record<string, unknown>, opts: { clock?: Clock; env?: Record<string, string> } = {}): Promise<TestGateway> {
  const path = join(mkdtempSync(join(tmpdir(), 'tollgate-pool-')), 'config.json');
  writeFileSync(path, JSON.stringify(file));
  return startTestGateway({ clock: opts.clock, env: { TOLLGATE_CONFIG: path, ...opts.env } });
}

/** A URL on 127.0.0.1 where nothing listens (the port was just released). */
export async function refusedUrl(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A server that accepts connections and resets each one as soon as the request arrives. */
export async function resettingServer(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const s = net.createServer((sock) => {
    sock.once('data', () => {
      hits++;
      sock.resetAndDestroy();
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, hits: () => hits, close: () => new Promise((r) => s.close(() => r())) };
}

/** Usage events of an org, oldest first. */
export async function eventsOf(tg: TestGateway, orgId: string) {
  await tg.gw.rt.usage.flush();
  return tg.gw.store.db.selectFrom('usage_events').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}

/**
 * A server that answers every request with `200` and SSE response headers, writes `firstBytes` (a
 * part of a first event, or nothing) and then resets the connection: a stream that fails after its
 * headers, before its first event.
 */
export async function headersThenReset(firstBytes = ''): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n';
  const body = firstBytes ? `${Buffer.byteLength(firstBytes).toString(16)}\r\n${firstBytes}\r\n` : '';
  const sockets = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.once('data', () => {
      hits++;
      sock.write(head + body, () => setTimeout(() => sock.resetAndDestroy(), 20));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        for (const k of sockets) k.destroy();
        s.close(() => r());
      }),
  };
}

/** Runs `fn`, then returns the one usage event it added to the org (asserting there is exactly one). */
export async function oneEventOf(tg: TestGateway, orgId: string, fn: () => Promise<unknown>) {
  const seen = new Set((await eventsOf(tg, orgId)).map((e) => e.id));
  await fn();
  await new Promise((r) => setTimeout(r, 50));
  const fresh = (await eventsOf(tg, orgId)).filter((e) => !seen.has(e.id));
  assert.equal(fresh.length, 1, `exactly one usage event, got ${fresh.length}`);
  return fresh[0]!;
}
