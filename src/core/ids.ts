/** Random identifiers and secrets (base62, from the CSPRNG). */
import { randomBytes, createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(len: number): string {
  const out: string[] = [];
  while (out.length < len) {
    const buf = randomBytes(len * 2);
    for (let i = 0; i < buf.length && out.length < len; i++) {
      const b = buf[i]!;
      if (b < 248) out.push(ALPHABET[b % 62]!); // 248 = 4·62: no modulo bias
    }
  }
  return out.join('');
}

export const newId = (prefix: string, len = 22) => `${prefix}_${base62(len)}`;
export const newRequestId = () => `req_${base62(24)}`;

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
