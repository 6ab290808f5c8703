/**
 * `POST /v1/chat/completions`: the OpenAI surface for every model. Claude upstreams get the request
 * translated to Messages (and the reply translated back); OpenAI-compatible upstreams get it with
 * the gateway's adjustments: upstream model id, `include_usage` forced on streams (billing needs
 * it), vendor quirks, and a hard output ceiling so the spend reservation bounds the cost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateInference } from '../../server/authenticate.ts';
import { parseJsonObject, readBody } from '../../server/body.ts';
import { admitAndRun } from '../../server/exchange/admit-and-run.ts';
import { withRateHeaders } from '../../server/rate-headers-on-error.ts';
import { resolveTarget } from '../../server/resolve.ts';
import type { Runtime } from '../../server/runtime.ts';
import { openaiToAnthropicRequest } from '../../translate/index.ts';
import { findCacheTtl } from '../anthropic/validate.ts';
import { validateChatRequest } from './validate.ts';
import { gateOpenai } from '../options/gate.ts';

/** Output ceiling injected when neither the client nor the catalog gives one. */
const FALLBACK_MAX_OUTPUT = 32_768;

export async function handleChat(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const startedAt = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, startedAt);
  await withRateHeaders(rt, principal, 'openai', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const body = parseJsonObject(raw);
    const shape = validateChatRequest(body);
    const { model, price, adapter } = resolveTarget(rt, principal, shape.model, startedAt);
    const premium = gateOpenai(rt.config, body, model, price);
    const upstreamModel = adapter.upstreamModel(model.id);

    let upstreamBody: string;
    let maxOutputTokens: number;
    let cacheTtl: '5m' | '1h' | null = null;
    if (adapter.wire === 'anthropic') {
      const a = openaiToAnthropicRequest(body as any, { upstreamModel, defaultMaxTokens: rt.config.defaultMaxTokens });
      maxOutputTokens = a.max_tokens;
      cacheTtl = findCacheTtl(a as any);
      upstreamBody = JSON.stringify(a);
    } else {
      const out: Record<string, unknown> = { ...body, model: upstreamModel };
      cacheTtl = findCacheTtl(body); // OpenRouter-style cache_control on content parts
      maxOutputTokens = shape.maxTokens ?? model.maxOutputTokens ?? FALLBACK_MAX_OUTPUT;
      const field = adapter.quirks.useMaxTokensField ? 'max_tokens' : 'max_completion_tokens';
      delete out.max_tokens;
      delete out.max_completion_tokens;
      out[field] = maxOutputTokens;
      if (shape.stream) out.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
      if (adapter.quirks.noDeveloperRole && Array.isArray(out.messages)) {
        out.messages = (out.messages as any[]).map((m) => (m?.role === 'developer' ? { ...m, role: 'system' } : m));
      }
      upstreamBody = JSON.stringify(out);
    }

    await admitAndRun({
      rt, req, res, requestId, startedAt, surface: 'openai', principal, model, price, adapter,
      op: adapter.wire === 'anthropic' ? 'messages' : 'chat', upstreamBody, stream: shape.stream,
      mode: adapter.wire === 'anthropic' ? 'anthropic-to-openai' : 'pass',
      clientIncludeUsage: shape.includeUsage, clientModel: shape.model,
    }, { body, bodyBytes: raw.length, family: model.provider === 'anthropic' ? 'claude' : 'openai', maxOutputTokens, cacheTtl, premium });
  });
}
