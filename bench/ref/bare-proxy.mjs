#!/usr/bin/env node
// Copied verbatim (apart from these two lines) from the reference benchmark's bare proxy
// of 2026-11-26 (bench/README.md). Keep it identical so the figures compare.
// Physical-limit reference: the thinnest useful Node pass-through proxy.
// node:http server in front, undici Pool to the upstream, request body streamed up,
// response (JSON or SSE) streamed back unchanged. No auth, no parsing, no logging.
//
// Port:     first CLI arg, else $PROXY_PORT, else 18081.   Host: $PROXY_HOST (default 127.0.0.1)
// Upstream: $UPSTREAM (default http://127.0.0.1:18080)
// Pool:     $UPSTREAM_CONNECTIONS (default 256) keep-alive connections to the upstream

import http from 'node:http';
import { Pool } from 'undici';

const PORT = Number(process.argv[2] || process.env.PROXY_PORT || 18081);
const HOST = process.env.PROXY_HOST || '127.0.0.1';
const UPSTREAM = process.env.UPSTREAM || 'http://127.0.0.1:18080';
const CONNECTIONS = Number(process.env.UPSTREAM_CONNECTIONS || 256);

const pool = new Pool(UPSTREAM, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 60_000 });

// Hop-by-hop headers (RFC 9110 §7.6.1) must not be forwarded; undici also rejects some of them.
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'host',
]);
function strip(h) {
  const out = {};
  for (const k in h) if (!HOP.has(k)) out[k] = h[k];
  return out;
}

const server = http.createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.stream(
    {
      path: req.url,
      method: req.method,
      headers: strip(req.headers),
      body: hasBody ? req : undefined,
      opaque: res,
    },
    ({ statusCode, headers, opaque }) => {
      opaque.writeHead(statusCode, strip(headers));
      return opaque; // undici pipes the upstream body straight into the client response
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) {
        const body = JSON.stringify({ error: { type: 'bad_gateway', message: err.message } });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else res.destroy(err);
    },
  );
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(PORT, HOST, () => console.log(`bare-proxy listening on http://${HOST}:${PORT} -> ${UPSTREAM}`));
const stop = () => {
  server.close();
  pool.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
