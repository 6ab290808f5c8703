/**
 * Test fixtures: the worked examples of https://platform.openai.com/docs/api-reference/chat §7
 * (OpenAI request ⇄ Anthropic request, Anthropic stream → OpenAI stream).
 */
export const lookupTool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };

export const SECTION7_OPENAI_REQUEST = {
  model: 'claude-x',
  max_completion_tokens: 512,
  temperature: 0.2,
  stream: true,
  stream_options: { include_usage: true },
  messages: [
    { role: 'developer', content: 'Be terse.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this image?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
      ],
    },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
  ],
  tools: [lookupTool],
  tool_choice: 'auto',
};

export const SECTION7_ANTHROPIC_REQUEST = {
  model: 'claude-x',
  max_tokens: 512,
  temperature: 0.2,
  stream: true,
  system: [{ type: 'text', text: 'Be terse.' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this image?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
      ],
    },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'cat' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a cat' }] },
  ],
  tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
  tool_choice: { type: 'auto' },
};

/** §7 stream example, as Anthropic SSE events. */
export const SECTION7_ANTHROPIC_EVENTS = [
  {
    event: 'message_start',
    data: {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-x',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0, output_tokens: 1 },
      },
    },
  },
  { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
  { event: 'ping', data: { type: 'ping' } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'A cat.' } } },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } } },
  { event: 'message_stop', data: { type: 'message_stop' } },
];
