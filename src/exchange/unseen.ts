/**
 * Bills an exchange whose upstream reply the gateway never saw: the client left and the drain bound
 * (config `abortDrain`) ran out before the upstream answered (a non-streamed reply only starts
 * once generation is over). The upstream may have run to the end, so the bound is billed: the
 * body's byte bound for input, `max_tokens` × choices for output (a stream: output only for
 * models with hidden reasoning, since nothing was streamed). Flagged `estimated`.
 */
import { hasHiddenReasoning } from '../metering/bounds.ts';
import { emptyUsage } from '../metering/usage.ts';
import { settle } from './settle.ts';
import type { Exchange } from './types.ts';

export function billUnseen(x: Exchange): Promise<void> {
  const output = !x.stream || hasHiddenReasoning(x.model.id) ? x.limits.outputBound : 0;
  return settle(x, {
    usage: { ...emptyUsage(), inputTokens: x.limits.inputBound, outputTokens: output },
    status: 200,
    outcome: 'client_aborted',
    estimated: true,
  });
}
