/**
 * The model APIs' front door, shared by every surface: refuse addresses that failed to
 * authenticate too often, authenticate the key (one hash, one map lookup when it is in memory),
 * refuse admin keys (they manage an org; they never call models), and take the org's
 * concurrency slot — all before a byte of the body is read. A failed authentication counts
 * against the client's address and closes the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../accounts/key-cache.ts';
import { keyFromHeaders } from '../accounts/keys.ts';
import { codes, fail, GatewayError } from '../core/errors.ts';
import { addressBucket, clientAddress } from './client-address.ts';
import type { Runtime } from '../exchange/runtime.ts';

/** Marks an authentication failure so the connection is closed after the reply. */
export function closeAfter(e: unknown): unknown {
  if (e instanceof GatewayError && (e.status === 401 || e.code === codes.too_many_auth_failures)) e.headers.connection = 'close';
  return e;
}

/** Authenticates any key (inference or admin), counting failures against the client's address. */
export async function authenticateKey(rt: Runtime, req: IncomingMessage, secret: string | undefined, now: number): Promise<Principal> {
  const addr = addressBucket(clientAddress(req, rt.config.http.trustProxy));
  try {
    rt.guards.authFailures.check(addr);
    return await rt.keys.authenticate(secret, now);
  } catch (e) {
    if (e instanceof GatewayError && e.status === 401) rt.guards.authFailures.fail(addr);
    throw closeAfter(e);
  }
}

export async function authenticateInference(rt: Runtime, req: IncomingMessage, res: ServerResponse, now: number): Promise<Principal> {
  const p = await authenticateKey(rt, req, keyFromHeaders(req.headers), now);
  if (p.key.kind !== 'inference') {
    throw fail.admin_key_not_allowed(
      'This is an admin key (sk-tg-admin-…): it manages its organization through /admin/v1 and cannot call the model APIs. Use an inference key (sk-tg-…).',
    );
  }
  rt.guards.concurrency.acquire(p.org.id, res);
  return p;
}
