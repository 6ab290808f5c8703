/** Random identifiers and secrets (base62, from the CSPRNG). */
import { randomFillSync, createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CSPRNG bytes drawn from a pooled buffer (one randomFillSync per 4 KiB, not one per id). */
const POOL = Buffer.allocUnsafe(4096);
let poolPos = POOL.length;

function nextByte(): number {
  if (poolPos >= POOL.length) { randomFillSync(POOL); poolPos = 0; }
  return POOL[poolPos++]!;
}

export function base62(len: number): string {
  let out = '';
  while (out.length < len) {
    const b = nextByte();
    if (b < 248) out += ALPHABET[b % 62]!; // 248 = 4·62: no modulo bias
  }
  return out;
}

export const newId = (prefix: string, len = 22) => `${prefix}_${base62(len)}`;
export const newRequestId = () => `req_${base62(24)}`;

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
