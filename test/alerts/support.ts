/**
 * Fixtures for the alert tests: a fresh migrated store (temp SQLite file, or a fresh PostgreSQL
 * database when DATABASE_URL names one), a real SMTP server and a real HTTP receiver, both on
 * 127.0.0.1, and an org-less helper to wait for conditions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { freshDatabase } from '../support/gateway.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';

export interface TestStore {
  store: Store;
  url: string;
  reopen(): Promise<Store>;
  close(): Promise<void>;
}

/** A fresh database with every migration applied; `reopen()` opens another connection (another "process"). */
export async function testStore(): Promise<TestStore> {
  const db = await freshDatabase();
  const store = await openStore(db.url);
  await migrate(store);
  const extra: Store[] = [];
  return {
    store,
    url: db.url,
    async reopen() {
      const s = await openStore(db.url);
      extra.push(s);
      return s;
    },
    async close() {
      for (const s of [store, ...extra]) await s.close().catch(() => {});
      await db.drop();
    },
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

/** A real SMTP server (no auth, no TLS) collecting every message it accepts. */
export async function smtpSink(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const unfolded = raw.replace(/\r\n(?=[ \t])/g, '');
        const subject = /^Subject: (.*)$/im.exec(unfolded)?.[1]?.trim() ?? '';
        const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
          text,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
export type Reply = number | 'hang';

/**
 * A real HTTP receiver; `replies` gives the status of each request in turn (the last one
 * repeats); 'hang' never answers (until close()).
 */
export async function receiver(replies: Reply[] = [200]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const r = replies[Math.min(i, replies.length - 1)]!;
      if (r === 'hang') return;
      res.writeHead(r, { 'content-type': 'text/plain' }).end(r < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tollgate`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Polls `cond` every 10 ms until true; fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
