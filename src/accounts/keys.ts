/**
 * API key secrets: `sk-tg-` + 48 base62 characters (~285 bits) for inference keys, and
 * `sk-tg-admin-` + 48 for admin keys, so a leaked secret says what it can do. Stored only as a
 * SHA-256 hash (a fast hash is right for high-entropy secrets); shown once at creation.
 */
import { base62, sha256Hex } from '../core/ids.ts';

export const KEY_PREFIX = 'sk-tg-';
export const ADMIN_KEY_PREFIX = 'sk-tg-admin-';

export type KeyKind = 'inference' | 'admin';
export type AdminScope = 'org' | 'workspace';

const SECRET_RE = /^sk-tg-(?:admin-)?[0-9A-Za-z]{48}$/;

export function generateSecret(kind: KeyKind = 'inference'): string {
  return (kind === 'admin' ? ADMIN_KEY_PREFIX : KEY_PREFIX) + base62(48);
}

/** True when `s` has the shape of a secret this gateway issues (anything else cannot be a key). */
export const isWellFormedSecret = (s: string) => s.length <= 60 && SECRET_RE.test(s);

export const hashSecret = (secret: string) => sha256Hex(secret);

/** What a listing may show: the prefix, the first four and last four characters. */
export function hintFor(secret: string): string {
  const prefix = secret.startsWith(ADMIN_KEY_PREFIX) ? ADMIN_KEY_PREFIX : KEY_PREFIX;
  return `${secret.slice(0, prefix.length + 4)}…${secret.slice(-4)}`;
}

/** Extracts the caller's key from `x-api-key` or `Authorization: Bearer`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return undefined;
}
