/**
 * `POST /v1/messages`: authenticate, validate, resolve model/price/upstream, admit, forward.
 * Claude upstreams get the customer's body byte-for-byte when the model id needs no rewrite;
 * OpenAI-wire upstreams get it translated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateInference } from '../../server/authenticate.ts';
import { readBody, parseJsonObject } from '../../server/body.ts';
import { resolveTarget } from '../../server/resolve.ts';
import { admitAndRun } from '../../server/exchange/admit-and-run.ts';
import { withRateHeaders } from '../../server/rate-headers-on-error.ts';
import type { Runtime } from '../../server/runtime.ts';
import { anthropicToOpenaiRequest } from '../../translate/index.ts';
import { validateMessagesRequest } from './validate.ts';
import { gateAnthropic } from '../options/gate.ts';

export async function handleMessages(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const startedAt = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, startedAt);
  await withRateHeaders(rt, principal, 'anthropic', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const body = parseJsonObject(raw);
    const shape = validateMessagesRequest(body);
    const { model, price, adapter } = resolveTarget(rt, principal, shape.model, startedAt);
    const premium = gateAnthropic(rt.config, req.headers, body, model, price);
    const upstreamModel = adapter.upstreamModel(model.id);

    let upstreamBody: string | Buffer;
    if (adapter.wire === 'anthropic') {
      upstreamBody = body.model === upstreamModel ? raw : JSON.stringify({ ...body, model: upstreamModel });
    } else {
      upstreamBody = JSON.stringify(anthropicToOpenaiRequest(body as any, { upstreamModel, useMaxTokensField: adapter.quirks.useMaxTokensField }));
    }

    await admitAndRun({
      rt, req, res, requestId, startedAt, surface: 'anthropic', principal, model, price, adapter,
      op: 'messages', upstreamBody, stream: shape.stream,
      mode: adapter.wire === 'anthropic' ? 'pass' : 'openai-to-anthropic',
      clientIncludeUsage: false, clientModel: shape.model,
    }, { body, bodyBytes: raw.length, family: 'claude', maxOutputTokens: shape.maxTokens, cacheTtl: shape.cacheTtl, premium });
  });
}
