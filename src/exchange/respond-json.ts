/**
 * Non-streaming reply: read the upstream JSON, meter it (bounded: bounds.ts), translate if needed,
 * make the usage event durable, then send the response. A client that left is still billed: the
 * reply was read to the end (within the drain bound, client-watch.ts).
 */
import type { UpstreamReply } from '../providers/upstream-call.ts';
import { upstreamUnavailable } from '../core/errors.ts';
import { boundUsage } from '../metering/bounds.ts';
import { wireFormat } from '../providers/wire-format.ts';
import { anthropicToOpenaiResponse, openaiToAnthropicResponse } from '../translate/index.ts';
import { drained } from './respond-stream.ts';
import type { ClientWatch } from './client-watch.ts';
import { settle } from './settle.ts';
import type { Exchange } from './types.ts';

export async function respondJson(x: Exchange, up: UpstreamReply, baseHeaders: Record<string, string>, watch?: ClientWatch): Promise<void> {
  const raw = await up.text();
  // biome-ignore lint/suspicious/noExplicitAny: the upstream reply, taken as its wire format; translate/ and the usage readers check each field they read
  let json: any;
  try {
    json = JSON.parse(raw);
  } catch {
    throw upstreamUnavailable('The upstream returned a malformed response');
  }
  const wire = x.adapter.wire;
  // Usage is sanity-bounded (bounds.ts): what cannot be believed is billed at the bound and flagged.
  const notes: string[] = [];
  const reported = wireFormat(wire).replyUsage(json, notes);
  const { usage, anomalies } = boundUsage(reported, notes, x.limits);
  let out: string;
  if (x.mode === 'pass') {
    out = raw; // byte-for-byte what the upstream said
  } else if (x.mode === 'anthropic-to-openai') {
    out = JSON.stringify(
      anthropicToOpenaiResponse(json, { id: `chatcmpl-${x.requestId.slice(4)}`, created: Math.floor(x.startedAt / 1000), model: x.clientModel }),
    );
  } else {
    out = JSON.stringify(openaiToAnthropicResponse(json, { model: x.clientModel }));
  }
  await settle(x, { usage, status: 200, outcome: watch?.gone ? 'client_aborted' : 'ok', estimated: false, anomalies });
  if (x.res.destroyed) return;
  x.res.writeHead(200, { ...baseHeaders, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(out)) });
  // A client that does not read the reply is disconnected after the write timeout.
  if (!x.res.write(out)) await drained(x.res, x.rt.config.http.writeTimeoutMs);
  x.res.end();
}
