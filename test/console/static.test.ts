/**
 * The console's static files: served at /console with the right content types and a strict CSP,
 * and nothing outside web/ — raw request targets (not normalised by a client) try `..`, encoded
 * separators, dotfiles and unknown extensions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let tg: TestGateway;
before(async () => {
  tg = await startTestGateway();
});
after(async () => {
  await tg?.close();
});

/** GET with the request target sent verbatim. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | undefined; csp: string | undefined; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: tg.gw.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: res.headers['content-type'],
          csp: res.headers['content-security-policy'] as string | undefined,
          body,
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('the console and its assets, with content types and CSP', async () => {
  const page = await rawGet('/console');
  assert.equal(page.status, 200);
  assert.equal(page.type, 'text/html; charset=utf-8');
  assert.match(page.csp!, /default-src 'none'/);
  assert.match(page.csp!, /connect-src 'self'/);
  assert.match(page.body, /<script type="module" src="\/console\/app.js">/);
  assert.equal((await rawGet('/console/')).status, 200);
  for (const [path, type] of [
    ['/console/app.js', 'text/javascript; charset=utf-8'],
    ['/console/app.css', 'text/css; charset=utf-8'],
    ['/console/console.css', 'text/css; charset=utf-8'],
  ] as const) {
    const r = await rawGet(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.type, type, path);
  }
});

test('the TypeScript bundle: built at start-up, with uPlot, an ETag and 304 on a match; sources are not served', async () => {
  const js = await rawGet('/console/app.js');
  assert.ok(js.body.length > 10_000, 'the bundle holds the pages and uPlot');
  assert.ok(!/^\s*import\s/m.test(js.body), 'no import left for the browser to fetch');
  assert.match(js.body, /uPlot|u-legend/);
  const etag = js.headers.etag as string;
  assert.match(etag, /^"[\w-]{22}"$/);
  const again = await rawGet('/console/app.js', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.equal((await rawGet('/console/app.js', { 'if-none-match': '"other"' })).status, 200);
  const css = await rawGet('/console/app.css');
  assert.match(css.body, /\.u-legend/);
  for (const path of ['/console/src/app.ts', '/console/src/pages/usage.ts', '/console/src/types.d.ts', '/console/pages/usage.js']) {
    assert.equal((await rawGet(path)).status, 404, path);
  }
});

test('the console imports only types from the server (the container ships web/ without src/)', () => {
  const files = readdirSync(new URL('../../web/src/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const text = readFileSync(new URL(`../../web/src/${f}`, import.meta.url), 'utf8');
    for (const m of text.matchAll(/^import\s+(.*?)\s+from\s+'((?:\.\.\/)+src\/[^']+)'/gm)) {
      assert.match(m[1]!, /^type\s/, `web/src/${f} imports a value from ${m[2]} (use import type)`);
    }
  }
});

test('no directory traversal, dotfiles or unknown files', async () => {
  for (const path of [
    '/console/../package.json',
    '/console/..%2fpackage.json',
    '/console/%2e%2e/package.json',
    '/console/pages/..%2F..%2Fpackage.json',
    '/console/%2e%2e%2f%2e%2e%2fsrc%2fgateway.ts',
    '/console/..\\package.json',
    '/console/pages/%5c..%5c..%5cpackage.json',
    '/console//etc/passwd',
    '/console/%2Fetc%2Fpasswd',
    '/console/.env',
    '/console/pages/.hidden.js',
    '/console/app.js%00.css',
    '/console/missing.js',
    '/console/README',
    '/console/%E0%A4%A',
    '/console/pages',
  ]) {
    const r = await rawGet(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.type, 'application/json', path);
    assert.ok(!r.body.includes('"dependencies"') && !r.body.includes('root:'), path);
  }
});
