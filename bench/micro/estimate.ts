/**
 * Micro-benchmark for estimateInputTokens (not a test): `node --import tsx bench/micro/estimate.ts`.
 * Uses real prose (package READMEs) and real code (lib.dom.d.ts) from node_modules, a different
 * slice per request so the tokenizer's merge cache is not replaying one string; also reports the
 * sampling error against an exact count for the sampled sizes.
 */
import { readFileSync } from 'node:fs';
import { estimateInputTokens, EXACT_CHAR_BUDGET, SAMPLE_WINDOWS, SAMPLE_WINDOW } from '../../src/metering/estimate.ts';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countTextTokens, tokenCounterMode } from '../../src/metering/token-count.ts';

const prose = ['openai', 'undici', 'ioredis', 'semver', 'debug'].map((p) => readFileSync(`node_modules/${p}/README.md`, 'utf8')).join('\n');
const code = readFileSync('node_modules/typescript/lib/lib.dom.d.ts', 'utf8');
const corpus = prose + code;

function texts(size: number, i: number): string[] {
  const start = (i * 7919) % Math.max(1, corpus.length - size);
  const text = corpus.slice(start, start + size);
  const half = text.length >> 1;
  return [text.slice(0, half), text.slice(half)];
}
function body(size: number, i: number) {
  const [a, b] = texts(size, i);
  return {
    system: 'You are a helpful assistant.',
    messages: [
      { role: 'user', content: a },
      { role: 'assistant', content: 'Sure.' },
      { role: 'user', content: [{ type: 'text', text: b }] },
    ],
  };
}

function bench(label: string, size: number, iters: number) {
  for (let i = 0; i < 200; i++) estimateInputTokens(body(size, i + 100_000), 'openai'); // JIT warm-up
  const bodies = Array.from({ length: iters }, (_, i) => body(size, i));
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const ests: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    ests.push(estimateInputTokens(bodies[i]!, 'openai'));
    times.push((performance.now() - t0) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  let errSum = 0;
  if (size > EXACT_CHAR_BUDGET) {
    for (let i = 0; i < iters; i++) {
      const overhead =
        3 * 3 + 3 + countTextTokens('user') * 2 + countTextTokens('assistant') + countTextTokens('Sure.') + countTextTokens('You are a helpful assistant.');
      const exact = texts(size, i).reduce((n, t) => n + countTextTokens(t), 0) + overhead;
      errSum += Math.abs(ests[i]! - exact) / exact;
    }
  }
  times.sort((a, b) => a - b);
  const cpuUs = (cpu.user + cpu.system) / iters;
  const err = size > EXACT_CHAR_BUDGET ? `, |sampling error| mean ${((errSum / iters) * 100).toFixed(1)} %` : '';
  console.log(`${label}: CPU ${cpuUs.toFixed(0)} µs/request, wall p50 ${times[iters >> 1]!.toFixed(0)} µs${err}`);
}

console.log(`mode ${tokenCounterMode()}, exact ≤ ${EXACT_CHAR_BUDGET} chars, else ${SAMPLE_WINDOWS}×${SAMPLE_WINDOW} sampled`);
bench('~2 KB prompt', 2 * 1024, 2000);
bench('~100 KB prompt', 100 * 1024, 300);
bench('~1 MB prompt', 1024 * 1024, 50);

// Cold text: disjoint slices of a 9 MB file never seen before (no merge-cache hits beyond the vocabulary).
const cold = readFileSync('node_modules/typescript/lib/typescript.js', 'utf8');
function coldBench(label: string, size: number, iters: number, fn: (s: string) => number, offset: number) {
  const strs = Array.from({ length: iters }, (_, i) => cold.slice(offset + i * size, offset + (i + 1) * size));
  const cpu0 = process.cpuUsage();
  for (const s of strs) fn(s);
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label}: CPU ${((cpu.user + cpu.system) / iters).toFixed(0)} µs/request`);
}
const NO_SPECIAL = { disallowedSpecial: new Set<string>() };
coldBench('cold ~2 KB, estimateInputTokens', 2048, 1000, (s) => estimateInputTokens([{ role: 'user', content: s }], 'openai'), 0);
coldBench('cold ~2 KB, gpt-tokenizer countTokens', 2048, 1000, (s) => countTokens(s, NO_SPECIAL), 2_100_000);
coldBench('cold ~100 KB, estimateInputTokens', 102_400, 20, (s) => estimateInputTokens([{ role: 'user', content: s }], 'openai'), 4_200_000);
coldBench('cold ~100 KB, gpt-tokenizer countTokens', 102_400, 20, (s) => countTokens(s, NO_SPECIAL), 6_300_000);
