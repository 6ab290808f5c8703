/**
 * `POST /v1/messages`: authenticate, validate, apply model routes and the key's policy, resolve
 * model/price/upstream pool, admit, forward. Claude upstreams get the customer's body
 * byte-for-byte when nothing needs rewriting; OpenAI-wire upstreams get it translated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateInference } from '../../http/authenticate.ts';
import { readBody, parseJsonObject } from '../../http/body.ts';
import { ceilingFor, checkModelAllowed, policyOf, routedModelName } from '../../exchange/model-policy.ts';
import { resolveTarget } from '../../exchange/resolve.ts';
import { admitAndRun } from '../../exchange/admit-and-run.ts';
import type { AttemptPlan } from '../../exchange/types.ts';
import { withRateHeaders } from '../../exchange/rate-headers-on-error.ts';
import type { Runtime } from '../../exchange/runtime.ts';
import type { UpstreamAdapter } from '../../providers/types.ts';
import { anthropicToOpenaiRequest } from '../../translate/index.ts';
import { messagesShape, validateMessagesRequest } from './validate.ts';
import { gateAnthropic } from '../options/gate.ts';

export async function handleMessages(rt: Runtime, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const startedAt = rt.clock.now();
  const principal = await authenticateInference(rt, req, res, startedAt);
  await withRateHeaders(rt, principal, 'anthropic', async () => {
    const raw = await readBody(req, rt.config.maxBodyBytes);
    const parsed = parseJsonObject(raw);
    validateMessagesRequest(parsed);
    const shape = messagesShape(parsed);
    const policy = policyOf(rt, principal);
    const name = routedModelName(rt, req, shape.model, parsed, 'claude');
    const { model, price, adapter, walk } = resolveTarget(rt, principal, name, startedAt);
    checkModelAllowed(policy, shape.model, model);
    const premium = gateAnthropic(rt.config, req.headers, parsed, model, price);
    const cap = ceilingFor(policy, shape.maxTokens, 'max_tokens');
    const body = cap === undefined ? parsed : { ...parsed, max_tokens: cap };
    if (cap !== undefined) shape.maxTokens = cap;
    const rewritten = cap !== undefined;

    const plan = (a: UpstreamAdapter): AttemptPlan => {
      const upstreamModel = a.upstreamModel(model);
      const common = { maxOutputTokens: shape.maxTokens, cacheTtl: shape.cacheTtl };
      if (a.wire === 'anthropic') {
        return {
          ...common,
          op: 'messages',
          mode: 'pass',
          upstreamBody: body.model === upstreamModel && !rewritten ? raw : JSON.stringify({ ...body, model: upstreamModel }),
        };
      }
      return {
        ...common,
        op: 'messages',
        mode: 'openai-to-anthropic',
        upstreamBody: JSON.stringify(anthropicToOpenaiRequest(body, { upstreamModel, useMaxTokensField: a.quirks.useMaxTokensField })),
      };
    };
    const first = plan(adapter);

    await admitAndRun(
      {
        rt,
        req,
        res,
        requestId,
        startedAt,
        surface: 'anthropic',
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
        clientIncludeUsage: false,
        clientModel: name === shape.model ? shape.model : model.id,
      },
      { body, bodyBytes: raw.length, family: 'claude', maxOutputTokens: first.maxOutputTokens, cacheTtl: first.cacheTtl, premium },
    );
  });
}
