/** Random identifiers and secrets (base62, from the CSPRNG). */
import { randomFillSync, hash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CSPRNG bytes drawn from a pooled buffer (one randomFillSync per 4 KiB, not one per id). */
const POOL = Buffer.allocUnsafe(4096);
let poolPos = POOL.length;

function nextByte(): number {
  if (poolPos >= POOL.length) {
    randomFillSync(POOL);
    poolPos = 0;
  }
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
/** `req_` + 24 base64url characters (144 random bits): opaque, like Anthropic's. */
export function newRequestId(): string {
  if (poolPos + 18 > POOL.length) {
    randomFillSync(POOL);
    poolPos = 0;
  }
  const id = POOL.toString('base64url', poolPos, poolPos + 18);
  poolPos += 18;
  return `req_${id}`;
}

export const sha256Hex = (s: string) => hash('sha256', s, 'hex');
