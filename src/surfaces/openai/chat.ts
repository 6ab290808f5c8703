/**
 * `POST /v1/chat/completions`: the OpenAI surface for every model. Claude upstreams get the request
 * translated to Messages (and the reply translated back); OpenAI-compatible upstreams get it with
 * the gateway's adjustments: upstream model id, `include_usage` forced on streams (billing needs
 * it), vendor quirks, and a hard output ceiling so the spend reservation bounds the cost. Model
 * routes and the key's policy apply first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateInference } from '../../http/authenticate.ts';
import { parseJsonObject, readBody } from '../../http/body.ts';
import { admitAndRun } from '../../exchange/admit-and-run.ts';
import type { AttemptPlan } from '../../exchange/types.ts';
import { ceilingFor, checkModelAllowed, policyOf, routedModelName } from '../../exchange/model-policy.ts';
import { withRateHeaders } from '../../exchange/rate-headers-on-error.ts';
import { resolveTarget } from '../../exchange/resolve.ts';
import type { Runtime } from '../../exchange/runtime.ts';
import type { UpstreamAdapter } from '../../providers/types.ts';
import { openaiToAnthropicRequest } from '../../translate/index.ts';
import { findCacheTtl } from '../anthropic/validate.ts';
import { chatShape, type ChatRequestBody, validateChatRequest } from './validate.ts';
import { gateOpenai } from '../options/gate.ts';

/** Output ceiling injected when neither the client nor the catalog gives one. */
const FALLBACK_MAX_OUTPUT = 32_768;

export async function handleChat(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const startedAt = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, startedAt);
  await withRateHeaders(rt, principal, 'openai', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const parsed = parseJsonObject(raw);
    validateChatRequest(parsed);
    const shape = chatShape(parsed);
    const policy = policyOf(rt, principal);
    const name = routedModelName(rt, req, shape.model, parsed, 'openai');
    const { model, price, adapter, walk } = resolveTarget(rt, principal, name, startedAt);
    checkModelAllowed(policy, shape.model, model);
    const premium = gateOpenai(rt.config, parsed, model, price);
    const field = parsed.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    const cap = ceilingFor(policy, shape.maxTokens, field);
    const body: ChatRequestBody = cap === undefined ? parsed : { ...parsed, [field]: cap };
    if (cap !== undefined) shape.maxTokens = cap;

    const plan = (a: UpstreamAdapter): AttemptPlan => {
      const upstreamModel = a.upstreamModel(model);
      if (a.wire === 'anthropic') {
        const m = openaiToAnthropicRequest(body, { upstreamModel, defaultMaxTokens: rt.config.defaultMaxTokens });
        return { op: 'messages', mode: 'anthropic-to-openai', upstreamBody: JSON.stringify(m), maxOutputTokens: m.max_tokens, cacheTtl: findCacheTtl(m) };
      }
      const out: Record<string, unknown> = { ...body, model: upstreamModel };
      const maxOutputTokens = shape.maxTokens ?? model.maxOutputTokens ?? FALLBACK_MAX_OUTPUT;
      delete out.max_tokens;
      delete out.max_completion_tokens;
      out[a.quirks.useMaxTokensField ? 'max_tokens' : 'max_completion_tokens'] = maxOutputTokens;
      if (shape.stream) out.stream_options = { ...body.stream_options, include_usage: true };
      if (a.quirks.noDeveloperRole) out.messages = body.messages.map((m) => (m?.role === 'developer' ? { ...m, role: 'system' } : m));
      return { op: 'chat', mode: 'pass', upstreamBody: JSON.stringify(out), maxOutputTokens, cacheTtl: findCacheTtl(body) }; // OpenRouter-style cache_control on content parts
    };
    const first = plan(adapter);

    await admitAndRun(
      {
        rt,
        req,
        res,
        requestId,
        startedAt,
        surface: 'openai',
        principal,
        model,
        price,
        adapter,
        walk,
        plan,
        attempts: 1,
        ...first,
        stream: shape.stream,
        timeoutMs: policy?.timeoutMs,
        clientIncludeUsage: shape.includeUsage,
        clientModel: name === shape.model ? shape.model : model.id,
      },
      {
        body,
        bodyBytes: raw.length,
        family: model.provider === 'anthropic' ? 'claude' : 'openai',
        maxOutputTokens: first.maxOutputTokens,
        cacheTtl: first.cacheTtl,
        premium,
      },
    );
  });
}
