/**
 * `POST /v1/messages`: authenticate, validate, resolve model/price/upstream, admit, forward.
 * Claude upstreams get the customer's body byte-for-byte when the model id needs no rewrite;
 * OpenAI-wire upstreams get it translated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { keyFromHeaders } from '../../accounts/keys.ts';
import { inspectInput, maxInputTokensUpperBound } from '../../metering/estimate.ts';
import { readBody, parseJsonObject } from '../../server/body.ts';
import { resolveTarget } from '../../server/resolve.ts';
import { runExchange } from '../../server/exchange/run.ts';
import { withIdempotency } from '../../server/idempotency.ts';
import { withRateHeaders } from '../../server/rate-headers-on-error.ts';
import type { Runtime } from '../../server/runtime.ts';
import { anthropicToOpenaiRequest } from '../../translate/index.ts';
import { validateMessagesRequest } from './validate.ts';

export async function handleMessages(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const startedAt = rt.clock.now();
  const principal = rt.keys.authenticate(keyFromHeaders(req.headers), startedAt);
  await withRateHeaders(rt, principal, 'anthropic', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const body = parseJsonObject(raw);
    const shape = validateMessagesRequest(body);
    const { model, price, adapter } = resolveTarget(rt, principal, shape.model, startedAt);
    const upstreamModel = adapter.upstreamModel(model.id);

    let upstreamBody: string | Buffer;
    if (adapter.wire === 'anthropic') {
      upstreamBody = body.model === upstreamModel ? raw : JSON.stringify({ ...body, model: upstreamModel });
    } else {
      upstreamBody = JSON.stringify(anthropicToOpenaiRequest(body as any, { upstreamModel, useMaxTokensField: adapter.quirks.useMaxTokensField }));
    }

    const input = inspectInput(body as any, 'claude');
    const estimatedInputTokens = input.tokens;
    // Documents (PDF pages) have no byte bound: reserve up to the context window.
    const maxInputTokens = input.documents ? (model.contextWindow ?? 1_000_000) : maxInputTokensUpperBound(raw.length, input.images);
    const idemKey = req.headers['idempotency-key'];
    await withIdempotency(rt.idempotency, principal.key.id, idemKey, res, async () => {
      const ticket = await rt.admission().admit({
        requestId, principal, model, price, surface: 'anthropic',
        estimatedInputTokens, maxInputTokens,
        maxOutputTokens: shape.maxTokens, cacheTtl: shape.cacheTtl,
      });
      try {
        await runExchange({
          rt, req, res, requestId, startedAt, surface: 'anthropic', principal, model, price, adapter, ticket,
          op: 'messages', upstreamBody, stream: shape.stream,
          mode: adapter.wire === 'anthropic' ? 'pass' : 'openai-to-anthropic',
          clientIncludeUsage: false, clientModel: shape.model,
          idempotencyKey: typeof idemKey === 'string' ? idemKey : null,
          estimatedInputTokens,
        });
      } catch (e) {
        ticket.release();
        throw e;
      }
    });
  });
}
