/**
 * Encrypts secrets at rest (upstream API keys, webhook signing secrets) with AES-256-GCM under
 * the operator's master key (`TOLLGATE_MASTER_KEY`: 32 bytes as 64 hex chars or base64).
 *
 * Format `v2:<iv>:<tag>:<ciphertext>` (base64url parts). v2 binds each secret to the row it
 * belongs to: the caller passes associated data (e.g. an upstream's name, kind and base URL),
 * which GCM authenticates without storing — so a ciphertext copied into another row (one whose
 * base URL points elsewhere) does not decrypt. `v1:` values (no associated data) from before are
 * still opened by `openLegacy` so that start-up can re-seal them as v2.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Associated data from a row's identifying fields (length-prefixed, so fields cannot run together). */
export function rowBinding(...fields: string[]): Buffer {
  return Buffer.from(fields.map((f) => `${Buffer.byteLength(f)}:${f}`).join('|'), 'utf8');
}

export const isSealed = (s: string | null | undefined): boolean => typeof s === 'string' && /^v[12]:/.test(s);

export class SecretBox {
  private key: Buffer;

  constructor(masterKey: string) {
    const k = /^[0-9a-fA-F]{64}$/.test(masterKey) ? Buffer.from(masterKey, 'hex') : Buffer.from(masterKey, 'base64');
    if (k.length !== 32) throw new Error('TOLLGATE_MASTER_KEY must be 32 bytes (64 hex characters or base64)');
    this.key = k;
  }

  seal(plain: string, aad: Buffer): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v2', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  /** Opens a v2 value sealed with the same associated data; throws SecretBoxError otherwise. */
  open(sealed: string, aad: Buffer): string {
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v2' || !iv || !tag || ct === undefined) throw new SecretBoxError('not a v2 sealed secret');
    return this.decrypt(iv, tag, ct, aad);
  }

  /** Opens a v1 value (no associated data), for re-sealing old rows as v2. */
  openLegacy(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new SecretBoxError('not a v1 sealed secret');
    return this.decrypt(iv, tag, ct, null);
  }

  private decrypt(iv: string, tag: string, ct: string, aad: Buffer | null): string {
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      if (aad) d.setAAD(aad);
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret does not open: a different master key, or a value moved from another row');
    }
  }
}
