/**
 * Every response carries the caller's rate-limit headers — also a request refused after
 * authentication but before admission (invalid body, unknown or unpriced model, too large):
 * the headers then show the org's buckets without taking anything from them.
 */
import type { Principal } from '../accounts/key-cache.ts';
import { GatewayError } from '../core/errors.ts';
import { profileOf, type Surface } from '../wire/surface.ts';
import type { Runtime } from './runtime.ts';

export async function withRateHeaders<T>(rt: Runtime, principal: Principal, surface: Surface, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const marker = profileOf(surface).rateHeaderMarker;
    const peek = rt.admission().peekHeaders;
    // A 503 (limiter or usage store unreachable) is not delayed by another trip to the limiter.
    if (e instanceof GatewayError && e.status !== 503 && !(marker in e.headers) && peek) {
      try {
        Object.assign(e.headers, { ...(await peek.call(rt.admission(), principal, surface)), ...e.headers });
      } catch {
        /* headers are best effort on an error path */
      }
    }
    throw e;
  }
}
