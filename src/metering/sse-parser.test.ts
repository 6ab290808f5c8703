/**
 * SseParser: WHATWG line/field rules, chunk-boundary independence (every byte split of recorded
 * streams), UTF-8 split across chunks, and end-of-stream behaviour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse-parser.ts';
import { ANTHROPIC_LITERAL, ANTHROPIC_UNICODE, OPENAI_INCLUDE_USAGE, enc, parseChunks, randomChunks, splitAt } from '../../test/support/metering-streams.ts';

const one = (s: string) => parseChunks([s]);

test('basic fields, event names, comments and blank-line dispatch', () => {
  assert.deepEqual(one('event: a\ndata: 1\n\n: comment\ndata: 2\n\n'), [{ event: 'a', data: '1' }, { data: '2' }]);
  assert.deepEqual(one(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {"x":1}\n\n'), [{ data: '{"x":1}' }]);
});

test('multi-line data is joined with \\n; only one leading space is removed', () => {
  assert.deepEqual(one('data: a\ndata:  b\ndata:c\ndata\n\n'), [{ data: 'a\n b\nc\n' }]);
  assert.deepEqual(one('data:\n\n'), [{ data: '' }]);
  assert.deepEqual(one('data\n\n'), [{ data: '' }]);
});

test('a block without data dispatches nothing and resets the event name', () => {
  assert.deepEqual(one('event: x\n\ndata: y\n\n'), [{ data: 'y' }]);
  assert.deepEqual(one('retry: 10\nfoo: bar\n\n'), []);
});

test('id is persistent, NUL ids are ignored, empty id clears it', () => {
  assert.deepEqual(one('id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n'), [
    { data: 'a', id: '7' },
    { data: 'b', id: '7' },
    { data: 'c', id: '7' },
    { data: 'd' },
  ]);
});

test('CRLF, lone CR and LF line ends are equivalent', () => {
  const lf = one(ANTHROPIC_LITERAL);
  assert.equal(lf.length, 8);
  assert.deepEqual(one(ANTHROPIC_LITERAL.replace(/\n/g, '\r\n')), lf);
  assert.deepEqual(one(ANTHROPIC_LITERAL.replace(/\n/g, '\r')), lf);
  assert.deepEqual(one('data: a\r\rdata: b\r\n\r\ndata: c\n\r\n'), [{ data: 'a' }, { data: 'b' }, { data: 'c' }]);
});

test('a CR at the end of one chunk and LF at the start of the next are one line end', () => {
  assert.deepEqual(parseChunks(['data: a\r', '\ndata: b\r', '\n\r', '\n']), [{ data: 'a\nb' }]);
  // A CR-terminated stream must not swallow a real blank line that follows in the next chunk.
  assert.deepEqual(parseChunks(['data: a\r', '\r', 'data: b\r\r']), [{ data: 'a' }, { data: 'b' }]);
  // An empty chunk in between must not lose the pending CR state.
  assert.deepEqual(parseChunks(['data: a\r', '', '\n', '\n']), [{ data: 'a' }]);
});

test('a leading UTF-8 BOM is dropped', () => {
  assert.deepEqual(parseChunks([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf]), enc('data: x\n\n')]), [{ data: 'x' }]);
});

for (const [name, text] of [
  ['Anthropic §3.3 literal', ANTHROPIC_LITERAL],
  ['Anthropic emoji/CJK stream', ANTHROPIC_UNICODE],
  ['OpenAI include_usage stream', OPENAI_INCLUDE_USAGE],
] as const) {
  for (const [eol, body] of [
    ['LF', text],
    ['CRLF', text.replace(/\n/g, '\r\n')],
    ['CR', text.replace(/\n/g, '\r')],
  ] as const) {
    test(`${name} (${eol}): identical events for every byte split, random chunking and byte-at-a-time`, () => {
      const bytes = enc(body);
      const expected = parseChunks([bytes]);
      assert.deepEqual(expected, one(text)); // same as the LF string form
      for (let i = 0; i <= bytes.length; i++) assert.deepEqual(parseChunks(splitAt(bytes, i)), expected, `split at ${i}`);
      for (let seed = 1; seed <= 50; seed++) assert.deepEqual(parseChunks(randomChunks(bytes, seed)), expected, `seed ${seed}`);
      const singles = Array.from(bytes, (b) => new Uint8Array([b]));
      assert.deepEqual(parseChunks(singles), expected);
    });
  }
}

test('multi-byte characters split inside their bytes decode correctly', () => {
  const s = 'data: 👋🏽你好𝔘é\n\n';
  const bytes = enc(s);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j += 3) {
      const ev = parseChunks([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
      assert.deepEqual(ev, [{ data: '👋🏽你好𝔘é' }], `${i}/${j}`);
    }
  }
});

test('Buffer, Uint8Array and string chunks can be mixed', () => {
  const p = new SseParser();
  assert.deepEqual(p.push(Buffer.from('data: a')), []);
  assert.deepEqual(p.push('b\n'), []);
  assert.deepEqual(p.push(new Uint8Array([10])), [{ data: 'ab' }]);
});

test('end(): an unterminated final event is dispatched (lenient) or discarded (strictEnd)', () => {
  assert.deepEqual(parseChunks(['data: {"usage":1}\n']), [{ data: '{"usage":1}' }]);
  assert.deepEqual(parseChunks(['data: [DONE]']), [{ data: '[DONE]' }]);
  assert.deepEqual(parseChunks(['data: [DONE]'], { strictEnd: true }), []);
  assert.deepEqual(parseChunks(['event: x\n']), []);
  // A truncated multi-byte character becomes U+FFFD rather than being lost or throwing.
  assert.deepEqual(parseChunks([enc('data: a'), new Uint8Array([0xf0, 0x9f])]), [{ data: 'a\ufffd' }]);
});

test('the parser is reusable after end()', () => {
  const p = new SseParser();
  p.push('id: 1\ndata: a');
  p.end();
  assert.deepEqual(p.push('data: b\n\n'), [{ data: 'b' }]);
});

test('a huge line arriving in many small chunks is linear, not quadratic', () => {
  const p = new SseParser();
  const piece = 'x'.repeat(1000);
  const t0 = performance.now();
  p.push('data: ');
  for (let i = 0; i < 20_000; i++) p.push(piece); // 20 MB line
  const ev = p.push('\n\n');
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.data.length, 20_000_000);
  assert.ok(performance.now() - t0 < 5000, 'should take well under a second');
});

test('many small events in one big chunk', () => {
  const chunk = 'data: {"a":1}\n\n'.repeat(100_000);
  const t0 = performance.now();
  const ev = new SseParser().push(chunk);
  assert.equal(ev.length, 100_000);
  assert.ok(performance.now() - t0 < 5000);
});
