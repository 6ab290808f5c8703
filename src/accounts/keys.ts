/**
 * API key secrets: `sk-tg-` + 48 base62 characters (~285 bits). Stored only as a SHA-256 hash
 * (a fast hash is right for high-entropy secrets); shown once at creation.
 */
import { base62, sha256Hex } from '../core/ids.ts';

export const KEY_PREFIX = 'sk-tg-';

export function generateSecret(): string {
  return KEY_PREFIX + base62(48);
}

export const hashSecret = (secret: string) => sha256Hex(secret);

/** What a listing may show: the prefix, the first four and last four characters. */
export function hintFor(secret: string): string {
  return `${secret.slice(0, KEY_PREFIX.length + 4)}…${secret.slice(-4)}`;
}

/** Extracts the caller's key from `x-api-key` or `Authorization: Bearer`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return undefined;
}
