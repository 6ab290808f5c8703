/** Reads a request body with a hard byte limit (413 past it) and parses JSON (400 when malformed). */
import type { IncomingMessage } from 'node:http';
import { clip, fail, invalidRequest, tooLarge } from '../core/errors.ts';
import { findDuplicateKey } from './json-keys.ts';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(`Request body is ${declared} bytes; the limit is ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(`Request body exceeds the limit of ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(invalidRequest(`could not read request body: ${e.message}`));
      }
    });
  });
}

/** Deepest nesting a request may have (arrays and objects); deeper bodies would overflow the stack downstream. */
export const MAX_JSON_DEPTH = 128;

/** True when `buf` nests arrays/objects deeper than `max` (one pass over the bytes, strings skipped). */
export function nestsDeeperThan(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function parseJsonObject(buf: Buffer): Record<string, unknown> {
  if (!buf.length) throw invalidRequest('Request body is empty; expected a JSON object');
  if (nestsDeeperThan(buf, MAX_JSON_DEPTH)) throw invalidRequest(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let v: unknown;
  const text = buf.toString('utf8');
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw invalidRequest(`There was an error parsing the body as JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidRequest('Request body must be a JSON object');
  // Parsers disagree on duplicate keys (first or last wins): refuse them, so what is priced is what is forwarded.
  const dup = findDuplicateKey(text);
  if (dup !== undefined) throw fail.duplicate_key(`Request body has the key ${JSON.stringify(clip(dup))} more than once`);
  return v as Record<string, unknown>;
}
