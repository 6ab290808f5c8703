import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { callUpstream } from './upstream-call.ts';

async function server(chunks: number) {
  const s = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < chunks; i++) res.write(`data: ${i}\n\n`);
    res.end();
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => new Promise((r) => s.close(r)) };
}

for (const mode of ['flowing', 'slow consumer'] as const) {
  test(`pipe delivers every chunk and ends (${mode}, more chunks than the high-water mark)`, async () => {
    const s = await server(200);
    const pool = new Pool(s.url);
    try {
      // Let the whole body arrive (and the upstream pause) before the consumer attaches.
      const reply = await callUpstream(pool, { path: '/', method: 'GET' }, new AbortController().signal);
      await new Promise((r) => setTimeout(r, 100));
      let got = '';
      let n = 0;
      await new Promise<void>((resolve, reject) => {
        reply.pipe({
          chunk(b) {
            got += b.toString();
            if (mode === 'slow consumer' && ++n % 3 === 0) {
              setTimeout(() => reply.resume(), 1);
              return false;
            }
            return true;
          },
          end(err) {
            if (err) reject(err);
            else resolve();
          },
        });
      });
      assert.equal(got.split('\n\n').filter(Boolean).length, 200);
      assert.ok(got.endsWith('data: 199\n\n'));
    } finally {
      await pool.close();
      await s.close();
    }
  });
}
