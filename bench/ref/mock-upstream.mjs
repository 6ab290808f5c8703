#!/usr/bin/env node
// Copied verbatim (apart from these two lines) from the reference benchmark's mock upstream
// of 2026-11-26 (bench/README.md). Keep it identical so the figures compare.
// Fast fake LLM upstream (node:http, no dependencies).
//
//   POST /v1/messages          Anthropic Messages API   (JSON, or SSE when "stream": true)
//   POST /v1/chat/completions  OpenAI Chat Completions  (JSON, or SSE when "stream": true)
//   GET  /healthz              "ok"
//
// Port:     first CLI arg, else $MOCK_PORT, else 18080.   Host: $MOCK_HOST (default 127.0.0.1)
// Latency:  $MOCK_LATENCY_MS     delay before the response head is sent (default 0)
//           $MOCK_CHUNK_DELAY_MS delay between SSE events (default 0: all events written in one tick)
// Size:     $MOCK_TEXT_CHARS     length of the assistant text (default 512)
// Debug:    $MOCK_DEBUG=1        log method, url and request headers of every request to stderr
//
// Built to be cheap per request so that it is never the bottleneck of a proxy benchmark:
// the request body is NOT JSON-parsed; "stream": true and "model" are found with small regexes,
// input tokens are estimated as body bytes / 4, and all static JSON fragments are pre-rendered.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

const PORT = Number(process.argv[2] || process.env.MOCK_PORT || 18080);
const HOST = process.env.MOCK_HOST || '127.0.0.1';
const LATENCY_MS = Number(process.env.MOCK_LATENCY_MS || 0);
const CHUNK_DELAY_MS = Number(process.env.MOCK_CHUNK_DELAY_MS || 0);
const TEXT_CHARS = Number(process.env.MOCK_TEXT_CHARS || 512);
const DEBUG = process.env.MOCK_DEBUG === '1';

// ---------------------------------------------------------------- content
const LOREM =
  'The quick brown fox jumps over the lazy dog. A gateway sits between clients and model ' +
  'providers, adding authentication, rate limiting and metering while staying out of the hot path. ';
let TEXT = '';
while (TEXT.length < TEXT_CHARS) TEXT += LOREM;
TEXT = TEXT.slice(0, TEXT_CHARS).trimEnd();
const TEXT_JSON = JSON.stringify(TEXT);
// Split into ~12 word-ish pieces for streaming deltas.
const DELTAS = (() => {
  const words = TEXT.split(/(?<= )/);
  const n = Math.max(1, Math.min(12, words.length));
  const per = Math.ceil(words.length / n);
  const out = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  return out.map((s) => JSON.stringify(s));
})();
const OUTPUT_TOKENS = Math.max(1, Math.round(TEXT.length / 4));

// ---------------------------------------------------------------- ids
const ID_PREFIX = randomBytes(6).toString('hex'); // per-process, so ids are unique across restarts
let seq = 0;
const nextId = () => ID_PREFIX + (++seq).toString(36).padStart(8, '0');

// ---------------------------------------------------------------- request sniffing (no JSON.parse)
const STREAM_RE = /"stream"\s*:\s*true/;
const MODEL_RE = /"model"\s*:\s*"([^"\\]{1,128})"/;
function sniff(body) {
  const m = MODEL_RE.exec(body);
  return {
    stream: STREAM_RE.test(body),
    model: m ? m[1] : null,
    inputTokens: Math.max(1, Math.round(body.length / 4)),
  };
}

// ---------------------------------------------------------------- Anthropic
function anthropicJson(model, inTok) {
  return (
    `{"id":"msg_${nextId()}","type":"message","role":"assistant","model":${JSON.stringify(model)},` +
    `"content":[{"type":"text","text":${TEXT_JSON}}],"stop_reason":"end_turn","stop_sequence":null,` +
    `"usage":{"input_tokens":${inTok},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,` +
    `"output_tokens":${OUTPUT_TOKENS}}}`
  );
}
const ev = (name, data) => `event: ${name}\ndata: ${data}\n\n`;
function anthropicSse(model, inTok) {
  const events = [
    ev(
      'message_start',
      `{"type":"message_start","message":{"id":"msg_${nextId()}","type":"message","role":"assistant",` +
        `"model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,` +
        `"usage":{"input_tokens":${inTok},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`,
    ),
    ev('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
    ev('ping', '{"type": "ping"}'),
  ];
  for (const d of DELTAS) events.push(ev('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${d}}}`));
  events.push(
    ev('content_block_stop', '{"type":"content_block_stop","index":0}'),
    ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${OUTPUT_TOKENS}}}`),
    ev('message_stop', '{"type":"message_stop"}'),
  );
  return events;
}

// ---------------------------------------------------------------- OpenAI
const FP = 'fp_' + randomBytes(5).toString('hex');
function openaiJson(model, inTok) {
  return (
    `{"id":"chatcmpl-${nextId()}","object":"chat.completion","created":${Math.floor(Date.now() / 1000)},` +
    `"model":${JSON.stringify(model)},"choices":[{"index":0,"message":{"role":"assistant","content":${TEXT_JSON},` +
    `"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
    `"usage":{"prompt_tokens":${inTok},"completion_tokens":${OUTPUT_TOKENS},"total_tokens":${inTok + OUTPUT_TOKENS},` +
    `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,` +
    `"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
    `"service_tier":"default","system_fingerprint":"${FP}"}`
  );
}
function openaiSse(model, inTok) {
  const head =
    `{"id":"chatcmpl-${nextId()}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},` +
    `"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${FP}",`;
  const chunk = (choices, usage = 'null') => `data: ${head}"choices":${choices},"usage":${usage}}\n\n`;
  const events = [chunk('[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]')];
  for (const d of DELTAS) events.push(chunk(`[{"index":0,"delta":{"content":${d}},"logprobs":null,"finish_reason":null}]`));
  events.push(chunk('[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]'));
  // Final usage chunk (real OpenAI sends it only with stream_options.include_usage=true; we always send it).
  events.push(
    chunk(
      '[]',
      `{"prompt_tokens":${inTok},"completion_tokens":${OUTPUT_TOKENS},"total_tokens":${inTok + OUTPUT_TOKENS},` +
        `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,` +
        `"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`,
    ),
  );
  events.push('data: [DONE]\n\n');
  return events;
}

// ---------------------------------------------------------------- server
const JSON_HEADERS = (rid) => ({ 'content-type': 'application/json', 'request-id': rid, 'x-request-id': rid });
const SSE_HEADERS = (rid) => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'request-id': rid,
  'x-request-id': rid,
});

function sendEvents(res, status, headers, events) {
  res.writeHead(status, headers);
  if (CHUNK_DELAY_MS <= 0) {
    for (const e of events) res.write(e);
    res.end();
    return;
  }
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    res.write(events[i++]);
    if (i < events.length) setTimeout(tick, CHUNK_DELAY_MS);
    else res.end();
  };
  tick();
}

function respond(req, res, body) {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const { stream, model, inputTokens } = sniff(body);
  const rid = 'req_' + nextId();
  if (path === '/v1/messages') {
    const m = model || 'claude-sonnet-4-20250514';
    if (stream) return sendEvents(res, 200, SSE_HEADERS(rid), anthropicSse(m, inputTokens));
    const out = anthropicJson(m, inputTokens);
    res.writeHead(200, { ...JSON_HEADERS(rid), 'content-length': Buffer.byteLength(out) });
    return res.end(out);
  }
  if (path === '/v1/chat/completions') {
    const m = model || 'gpt-4o-mini-2024-07-18';
    if (stream) return sendEvents(res, 200, SSE_HEADERS(rid), openaiSse(m, inputTokens));
    const out = openaiJson(m, inputTokens);
    res.writeHead(200, { ...JSON_HEADERS(rid), 'content-length': Buffer.byteLength(out) });
    return res.end(out);
  }
  const out = JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
  res.end(out);
}

const server = http.createServer((req, res) => {
  if (DEBUG) console.error(req.method, req.url, JSON.stringify(req.headers));
  if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/')) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    return res.end('ok');
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-length': 0 });
    return res.end();
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0].toString('latin1') : Buffer.concat(chunks).toString('latin1');
    if (DEBUG) console.error('  body:', body.slice(0, 300));
    if (LATENCY_MS > 0) setTimeout(() => respond(req, res, body), LATENCY_MS);
    else respond(req, res, body);
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(PORT, HOST, () => {
  console.log(`mock-upstream listening on http://${HOST}:${PORT} latency=${LATENCY_MS}ms chunkDelay=${CHUNK_DELAY_MS}ms textChars=${TEXT.length}`);
});
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
