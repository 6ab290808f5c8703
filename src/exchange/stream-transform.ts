/**
 * Event-by-event rewriting of a stream when the client's wire format differs from the upstream's,
 * or when the gateway forced `include_usage` on an OpenAI upstream the client did not ask for.
 * Returns null for pure pass-through (the fast path: bytes are forwarded untouched).
 */
import type { SseEvent } from '../metering/sse-parser.ts';
import { AnthropicToOpenaiStream, OpenaiToAnthropicStream } from '../translate/index.ts';
import type { Exchange } from './types.ts';

export interface StreamTransform {
  push(ev: SseEvent): string;
  end(): string;
}

const parse = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

export function makeStreamTransform(x: Exchange): StreamTransform | null {
  if (x.mode === 'anthropic-to-openai') {
    const t = new AnthropicToOpenaiStream({
      id: `chatcmpl-${x.requestId.slice(4)}`,
      created: Math.floor(x.startedAt / 1000),
      model: x.clientModel,
      includeUsage: x.clientIncludeUsage,
    });
    return {
      push: (ev) => {
        const data = parse(ev.data);
        return data === undefined ? '' : t.push({ event: ev.event, data }).join('');
      },
      end: () => t.end().join(''),
    };
  }
  if (x.mode === 'openai-to-anthropic') {
    const t = new OpenaiToAnthropicStream({ model: x.clientModel, messageId: `msg_${x.requestId.slice(4)}` });
    return {
      push: (ev) => {
        if (ev.data === '[DONE]') return '';
        const data = parse(ev.data);
        return data === undefined ? '' : t.push(data).join('');
      },
      end: () => t.end().join(''),
    };
  }
  if (x.adapter.wire === 'openai' && !x.clientIncludeUsage) {
    // We asked the upstream for the usage chunk (billing needs it); the client did not.
    return {
      push: (ev) => (ev.data.includes('"choices":[]') && ev.data.includes('"usage"') ? '' : `data: ${ev.data}\n\n`),
      end: () => '',
    };
  }
  return null;
}
