/**
 * `POST /v1/messages/count_tokens`: free, not billed — but admitted like any request: it takes one
 * request from the org's request bucket and needs an account in good standing (credit left, no
 * monthly cap reached), so an org cannot use it to reach the operator's upstream for nothing.
 * Forwarded to an Anthropic-wire upstream (which counts exactly); for models behind OpenAI-wire
 * upstreams, estimated locally.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { estimateInputTokens } from '../../metering/estimate.ts';
import { authenticateInference } from '../../http/authenticate.ts';
import { parseJsonObject, readBody } from '../../http/body.ts';
import { withRateHeaders } from '../../exchange/rate-headers-on-error.ts';
import { resolveTarget } from '../../exchange/resolve.ts';
import { retryHeaders, upstreamError } from '../../providers/upstream-error.ts';
import { upstreamUnavailable } from '../../core/errors.ts';
import type { Runtime } from '../../exchange/runtime.ts';
import { messagesShape, validateCountTokensRequest } from './validate.ts';

export async function handleCountTokens(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const now = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, now);
  await withRateHeaders(rt, principal, 'anthropic', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const body = parseJsonObject(raw);
    validateCountTokensRequest(body);
    const shape = messagesShape(body);
    const { model, price, adapter } = resolveTarget(rt, principal, shape.model, now);
    const ticket = await rt.admission().admit({
      requestId,
      principal,
      model,
      price,
      surface: 'anthropic',
      free: true,
      estimatedInputTokens: 0,
      maxInputTokens: 0,
      maxOutputTokens: 0,
      cacheTtl: null,
    });
    try {
      const headers = { ...ticket.headers, 'request-id': requestId, 'content-type': 'application/json' };
      if (adapter.wire !== 'anthropic') {
        const out = JSON.stringify({ input_tokens: estimateInputTokens(body, 'claude') });
        res.writeHead(200, headers).end(out);
        return;
      }
      const upstreamModel = adapter.upstreamModel(model);
      let up: Awaited<ReturnType<ReturnType<typeof rt.router.pool>['request']>>;
      try {
        up = await rt.router.pool(adapter.origin).request({
          path: adapter.path('count_tokens'),
          method: 'POST',
          headers: adapter.headers('count_tokens', req.headers),
          body: body.model === upstreamModel ? raw : JSON.stringify({ ...body, model: upstreamModel }),
          headersTimeout: 60_000,
          bodyTimeout: 60_000,
        });
      } catch (e) {
        throw upstreamUnavailable(`The upstream for ${model.id} is unavailable`, { cause: e });
      }
      const text = await up.body.text();
      if (up.statusCode !== 200) throw upstreamError(up.statusCode, text, 'anthropic', { ...ticket.headers, ...retryHeaders(up.headers) });
      res.writeHead(200, headers).end(text);
    } finally {
      ticket.release();
    }
  });
}
