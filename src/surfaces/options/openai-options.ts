/**
 * The OpenAI surface's option gate: body fields on the allow-list, `n` bounded and held for,
 * `service_tier` only where the tier has price rows, no audio output.
 */
import type { AllowLists } from './allow-lists.ts';
import { standardRequest, unsupportedOption, type ModelOptions, type PremiumRequest } from './premium.ts';

/** The most choices one request may ask for (OpenAI's own limit is 128). */
export const MAX_CHOICES = 128;

export function checkOpenaiOptions(body: Record<string, unknown>, lists: AllowLists, model: ModelOptions): PremiumRequest {
  for (const k of Object.keys(body)) {
    if (!lists.openaiFields.has(k))
      throw unsupportedOption(
        k,
        'this request field is not supported by this gateway (it may change what the request costs); remove it or ask the operator to allow it',
      );
  }
  const out = standardRequest();
  if (body.n !== undefined && body.n !== null) {
    if (typeof body.n !== 'number' || !Number.isInteger(body.n) || body.n < 1 || body.n > MAX_CHOICES)
      throw unsupportedOption('n', `must be an integer from 1 to ${MAX_CHOICES}`);
    out.choices = body.n;
  }
  const tier = body.service_tier;
  if (tier !== undefined && tier !== null && tier !== 'auto' && tier !== 'default') {
    if ((tier !== 'priority' && tier !== 'flex') || !model.tiers.includes(tier)) {
      throw unsupportedOption('service_tier', `${JSON.stringify(tier)} is not available for ${model.id} on this gateway`);
    }
    out.serviceTier = tier;
  }
  if (body.modalities !== undefined && body.modalities !== null) {
    const m = body.modalities;
    if (!Array.isArray(m) || m.some((x) => x !== 'text'))
      throw unsupportedOption('modalities', 'only ["text"] is supported (audio output is not priced by this gateway)');
  }
  return out;
}
