/**
 * Runs one admitted exchange: try the upstream pool until one answers (attempts.ts), then answer
 * (JSON or stream). A client that goes away does not stop the upstream at once: its reply is still
 * read, bounded (client-watch.ts), so the usage it reports is billed exactly. Paths that
 * bill nothing leave the hold to the caller (admit-and-run.ts releases it once the exchange is
 * over; a settled ticket ignores the release).
 */
import { attemptUpstreams } from './attempts.ts';
import { ClientWatch } from './client-watch.ts';
import { billUnseen } from './unseen.ts';
import { respondJson } from './respond-json.ts';
import { respondStream } from './respond-stream.ts';
import type { Exchange } from './types.ts';
import { isSimulatedUpstream } from '../config/config.ts';
import { profileOf } from '../wire/surface.ts';

export async function runExchange(x0: Exchange): Promise<void> {
  // Gone before anything was sent upstream: nothing to run, nothing to bill.
  if (x0.res.destroyed || x0.req.socket?.destroyed) return;
  const watch = new ClientWatch(x0.res, x0.rt.config.abortDrain);
  try {
    const baseHeaders: Record<string, string> = { ...x0.ticket.headers, [profileOf(x0.surface).requestIdHeader]: x0.requestId };
    const served = await attemptUpstreams(x0, watch.signal, watch);
    if (!served) {
      // The client went away before any upstream answered; past the drain bound the upstream may have run.
      if (watch.cut) await billUnseen(x0);
      return;
    }
    const { x, up } = served;
    // A simulated answer says so: it is fake, and reports never count it as revenue.
    if (isSimulatedUpstream(x.adapter.name)) baseHeaders['tollgate-upstream'] = 'simulator';
    try {
      if (x.stream) await respondStream(x, up, baseHeaders, watch);
      else await respondJson(x, up, baseHeaders, watch);
    } finally {
      served.done();
    }
  } finally {
    watch.done();
  }
}
