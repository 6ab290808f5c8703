/**
 * Password hashing with scrypt (node:crypto), memory-hard: N = 2^15, r = 8, p = 1 — 128·N·r
 * bytes = 32 MiB per hash — with a 16-byte salt and a 32-byte key. Stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so the parameters can be raised later;
 * `needsRehash` tells the login path when a stored hash is weaker than today's.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT = { logN: 15, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;

const run = (pw: string, salt: Buffer, logN: number, r: number, p: number, keyLen: number) =>
  new Promise<Buffer>((resolve, reject) => {
    const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
    scrypt(pw.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLen);
  const key = await run(pw, salt, SCRYPT.logN, SCRYPT.r, SCRYPT.p, SCRYPT.keyLen);
  return `scrypt$${SCRYPT.logN}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of `pw` against a stored hash; false for anything malformed. */
export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await run(pw, Buffer.from(m[4]!, 'base64'), logN, r, p, expected.length);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`scrypt$${SCRYPT.logN}$${SCRYPT.r}$${SCRYPT.p}$`);
}

/** A hash of nothing, computed once: unknown addresses spend the same time as known ones. */
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(pw: string): Promise<void> {
  dummy ??= hashPassword('tollgate-dummy-password');
  await verifyPassword(pw, await dummy);
}
