/**
 * Encrypts secrets at rest (upstream API keys) with AES-256-GCM under the operator's master key
 * (`TOLLGATE_MASTER_KEY`: 32 bytes as 64 hex chars or base64). Format: `v1:<iv>:<tag>:<ciphertext>`
 * (base64url parts). Without a master key, secrets cannot be stored.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class SecretBox {
  private key: Buffer;

  constructor(masterKey: string) {
    const k = /^[0-9a-fA-F]{64}$/.test(masterKey) ? Buffer.from(masterKey, 'hex') : Buffer.from(masterKey, 'base64');
    if (k.length !== 32) throw new Error('TOLLGATE_MASTER_KEY must be 32 bytes (64 hex characters or base64)');
    this.key = k;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  }
}
