/**
 * The client address a request is accounted to (failed-authentication throttling, the audit log).
 * The socket's peer address, or — only when the operator says a reverse proxy sits in front
 * (`TOLLGATE_TRUST_PROXY`) — the last address that proxy appended to `X-Forwarded-For`. IPv6
 * clients are grouped by /64 (one host usually owns a whole /64, so per-address would be free to
 * evade); IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  let a = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const v = Array.isArray(xff) ? xff.join(',') : xff;
    const last = v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1);
    if (last && last.length <= 64) a = last;
  }
  return a;
}

/** The throttling bucket of an address: IPv4 as is, IPv6 by its /64. */
export function addressBucket(a: string): string {
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice(7);
  if (!isIPv6(a)) return a;
  const [head] = a.split('%');
  const parts = head!.split('::');
  const left = parts[0] ? parts[0].split(':') : [];
  const right = parts[1] ? parts[1].split(':') : [];
  const groups = parts.length === 2 ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
