/**
 * The requests every target gets, byte for byte: the reference's ~800 B bodies (a system prompt and
 * three turns, from the reference benchmark, bench/README.md) with Tollgate's priced model, and the checks
 * that a reply is a valid one with usage.
 */

export type Scenario = 'messages' | 'chat' | 'messages-stream' | 'chat-stream';

export const SCENARIO_LABEL: Record<Scenario, string> = {
  messages: 'messages JSON',
  chat: 'chat→Claude JSON',
  'messages-stream': 'messages stream',
  'chat-stream': 'chat→Claude stream',
};

export const MODEL = 'claude-sonnet-4-5';

const SYSTEM =
  'You are a concise assistant for an internal platform-engineering team. Answer in at most three ' +
  'sentences, prefer concrete commands over prose, and say so plainly when you are not sure.';
const TURNS = [
  { role: 'user', content: 'Our API gateway adds about 4 ms at p99 in staging. Where should I look first?' },
  {
    role: 'assistant',
    content:
      'Start with a flame graph of the gateway under a fixed request rate, then compare p99 against a ' +
      'bare pass-through proxy on the same box so you know what is physics and what is your code.',
  },
  {
    role: 'user',
    content:
      'Fair. The gateway also parses usage from streamed responses for metering. Is re-parsing every SSE ' +
      'event expensive, and how would you avoid buffering the whole stream?',
  },
];

export function body(s: Scenario): Record<string, unknown> {
  const chat = { model: MODEL, messages: [{ role: 'system', content: SYSTEM }, ...TURNS], max_tokens: 256, temperature: 0.2 };
  const messages = { model: MODEL, max_tokens: 256, system: SYSTEM, messages: TURNS, temperature: 0.2 };
  switch (s) {
    case 'messages':
      return messages;
    case 'messages-stream':
      return { ...messages, stream: true };
    case 'chat':
      return chat;
    case 'chat-stream':
      return { ...chat, stream: true, stream_options: { include_usage: true } };
  }
}

export const isStream = (s: Scenario) => s.endsWith('-stream');
export const isChat = (s: Scenario) => s.startsWith('chat');
export const pathOf = (s: Scenario) => (isChat(s) ? '/v1/chat/completions' : '/v1/messages');

/** Identical headers for every target (the mock and the bare proxy ignore the key). */
export function headers(s: Scenario, key: string): Record<string, string> {
  return isChat(s) ? { authorization: `Bearer ${key}` } : { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
}

/** Is this a valid reply with usage? Returns a short detail either way. */
export function checkReply(s: Scenario, status: number, text: string): { ok: boolean; detail: string } {
  if (status !== 200) return { ok: false, detail: `HTTP ${status}: ${text.slice(0, 200)}` };
  try {
    if (!isStream(s)) {
      const j = JSON.parse(text);
      if (isChat(s)) {
        const ok =
          j.object === 'chat.completion' && j.choices?.[0]?.message?.content?.length > 0 && j.usage?.prompt_tokens > 0 && j.usage?.completion_tokens > 0;
        return { ok, detail: `usage prompt=${j.usage?.prompt_tokens} completion=${j.usage?.completion_tokens}` };
      }
      const ok = j.type === 'message' && j.content?.[0]?.type === 'text' && j.usage?.input_tokens > 0 && j.usage?.output_tokens > 0;
      return { ok, detail: `usage in=${j.usage?.input_tokens} out=${j.usage?.output_tokens}` };
    }
    const events = text.split('\n\n').filter(Boolean).length;
    if (isChat(s)) {
      const ok = text.includes('data: [DONE]') && /"usage":\{"prompt_tokens":\d+/.test(text);
      return { ok, detail: `${events} SSE events${ok ? '' : ' (no [DONE] or no usage chunk)'}` };
    }
    const ok =
      text.includes('event: message_stop') &&
      /event: message_delta\ndata: .*"usage":\{[^}]*"output_tokens":\d+/.test(text) &&
      /event: message_start\ndata: .*"input_tokens":\d+/.test(text);
    return { ok, detail: `${events} SSE events${ok ? '' : ' (no message_stop or no usage)'}` };
  } catch (e) {
    return { ok: false, detail: `unparseable reply: ${(e as Error).message}: ${text.slice(0, 200)}` };
  }
}
