/**
 * Delivery of a computed response according to a Plan: header delay, error-event injection,
 * cuts, line endings and byte-level chunking. Every write is awaited (write callback plus a
 * macrotask turn), so pieces reach the client as separate TCP reads.
 */
import type { ServerResponse } from 'node:http';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { errorFrame, OPENAI_DONE } from '../../src/providers/simulator/index.ts';
import type { SimResponse } from '../../src/providers/simulator/index.ts';
import type { ChunkSizes, Plan } from './fake-behaviour.ts';

/** Deterministic PRNG (mulberry32) for random chunk sizes. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into pieces: `'byte'` → 1 each, `'random'` → seeded 1..16, array → sizes cycled. */
export function splitBytes(buf: Buffer, sizes: ChunkSizes, seed = 1): Buffer[] {
  const rand = mulberry32(seed);
  const out: Buffer[] = [];
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    let n: number;
    if (sizes === 'byte') n = 1;
    else if (sizes === 'random') n = 1 + Math.floor(rand() * 16);
    else n = Math.max(1, sizes.length ? sizes[k++ % sizes.length]! : buf.length);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

const gone = (res: ServerResponse) => res.destroyed || !!res.socket?.destroyed;

function writeAsync(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (gone(res)) return resolve();
    res.write(chunk, () => resolve());
  });
}

async function writePieces(res: ServerResponse, buf: Buffer, plan: Plan): Promise<void> {
  if (!plan.chunking) return writeAsync(res, buf);
  for (const piece of splitBytes(buf, plan.chunking.sizes, plan.chunking.seed)) {
    if (gone(res)) return;
    await writeAsync(res, piece);
    await tick();
  }
}

/** SSE frames after error-event injection and cut, with the plan's line ending. */
export function planFrames(resp: SimResponse, plan: Plan): { frames: string[]; cut: boolean } {
  let frames = resp.frames ?? [];
  if (plan.errorEvent) {
    const body = frames.filter((f) => f !== OPENAI_DONE);
    frames = [...body.slice(0, plan.errorEvent.afterEvents), errorFrame(resp.surface, plan.errorEvent.error)];
  }
  let cut = false;
  if (plan.cutAfterEvents !== undefined && plan.cutAfterEvents < frames.length) {
    frames = frames.slice(0, plan.cutAfterEvents);
    cut = true;
  }
  if (plan.lineEnding !== '\n') frames = frames.map((f) => f.replace(/\n/g, plan.lineEnding));
  return { frames, cut };
}

/** Writes `resp` following `plan`. Resolves when done (or when the client went away). */
export async function deliver(res: ServerResponse, resp: SimResponse, plan: Plan): Promise<void> {
  res.socket?.setNoDelay(true);
  if (plan.headersMs > 0) await sleep(plan.headersMs);
  if (gone(res)) return;
  const headers = { ...resp.headers, ...plan.headers };
  if (!resp.frames) {
    const body = Buffer.from(resp.body ?? '', 'utf8');
    res.writeHead(resp.status, { ...headers, 'content-length': String(body.length) });
    if (plan.cutAfterEvents !== undefined) {
      await writePieces(res, body.subarray(0, Math.floor(body.length / 2)), plan);
      res.socket?.destroy();
      return;
    }
    await writePieces(res, body, plan);
    res.end();
    return;
  }
  const { frames, cut } = planFrames(resp, plan);
  res.writeHead(resp.status, headers);
  res.flushHeaders();
  if (plan.betweenEventsMs > 0) {
    for (const [i, frame] of frames.entries()) {
      if (i > 0) await sleep(plan.betweenEventsMs);
      if (gone(res)) return;
      await writePieces(res, Buffer.from(frame, 'utf8'), plan);
    }
  } else {
    await writePieces(res, Buffer.from(frames.join(''), 'utf8'), plan);
  }
  if (gone(res)) return;
  if (cut) {
    await tick();
    res.socket?.destroy();
  } else res.end();
}
