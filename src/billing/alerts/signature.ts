/**
 * Webhook signatures. Each POST carries
 *   `tollgate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * A receiver recomputes the HMAC over the exact raw body bytes it received, compares in
 * constant time, and rejects timestamps more than 5 minutes from its own clock (replays).
 *
 * @example
 * // receiver side
 * const ok = verifySignature(req.headers['tollgate-signature'], rawBody, process.env.WEBHOOK_SECRET, Math.floor(Date.now() / 1000));
 * if (!ok) return res.writeHead(400).end();
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'tollgate-signature';
export const EVENT_ID_HEADER = 'tollgate-event-id';
export const DEFAULT_TOLERANCE_SEC = 300;

function hmacHex(secret: string, t: number, body: string | Uint8Array): string {
  const h = createHmac('sha256', secret);
  h.update(`${t}.`);
  h.update(body);
  return h.digest('hex');
}

/** The `tollgate-signature` header value for `body` signed at `nowSec` (unix seconds). */
export function signPayload(body: string, secret: string, nowSec: number): string {
  const t = Math.floor(nowSec);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` holds a `v1` signature of `body` made with `secret` at a time within
 * `toleranceSec` of `nowSec`. Several `v1=` entries are allowed (any may match, for secret
 * rotation); unknown schemes are ignored. Never throws on malformed input.
 */
export function verifySignature(
  header: string | null | undefined,
  body: string | Uint8Array,
  secret: string,
  nowSec: number,
  toleranceSec = DEFAULT_TOLERANCE_SEC,
): boolean {
  if (typeof header !== 'string' || !secret) return false;
  let t: number | undefined;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) sigs.push(v.toLowerCase());
  }
  if (t === undefined || !sigs.length) return false;
  if (Math.abs(Math.floor(nowSec) - t) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
