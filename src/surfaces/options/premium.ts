/** The 400 every refused option gets; the premium request types live in pricing/premium.ts. */
import { clip, fail } from '../../core/errors.ts';

export { standardRequest, type ModelOptions, type PremiumRequest } from '../../pricing/premium.ts';

/** A 400 naming the option (invalid_request_error, code `unsupported_option`). */
export function unsupportedOption(option: string, why: string) {
  return fail.unsupported_option(`${clip(option, 120)}: ${why}`, { param: clip(option, 120) });
}
