/**
 * Compile-time check (run by `npm run typecheck`, never executed): the wire types of `src/wire/`
 * accept what the official SDKs send and receive. Each line fails the typecheck when an SDK type
 * stops being assignable to the gateway's wire type, i.e. when the two drift apart.
 * https://github.com/anthropics/anthropic-sdk-typescript, https://github.com/openai/openai-node
 */
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import type { AnthropicMessage, AnthropicMessagesRequest, AnthropicStreamEvent } from '../../src/wire/anthropic.ts';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../../src/wire/openai.ts';

/** `true` exactly when every `From` is a `To`. */
type Accepts<To, From> = [From] extends [To] ? true : false;
const ok = <T extends true>(): T[] => [];

/**
 * Where the SDK is deliberately wider than the gateway, the check maps the SDK type first. Each
 * exception is named here with its reason:
 * - `role: 'system'` messages (`Anthropic.SystemMessageParam`): the gateway answers them with a 400
 *   (`messages.N.role: Input should be 'user' or 'assistant'`, src/surfaces/anthropic/validate.ts);
 *   system text goes in the top-level `system` field.
 */
type WithoutSystemMessages<T extends { messages: Anthropic.MessageParam[] }> = Omit<T, 'messages'> & {
  messages: Array<Exclude<Anthropic.MessageParam, Anthropic.SystemMessageParam>>;
};

// Anthropic Messages API: the request a client sends, the reply and the stream events it reads.
ok<Accepts<AnthropicMessagesRequest, WithoutSystemMessages<Anthropic.MessageCreateParamsNonStreaming>>>();
ok<Accepts<AnthropicMessagesRequest, WithoutSystemMessages<Anthropic.MessageCreateParamsStreaming>>>();
ok<Accepts<AnthropicMessage, Anthropic.Message>>();
ok<Accepts<AnthropicStreamEvent, Anthropic.RawMessageStreamEvent>>();

// OpenAI Chat Completions: the request, the reply and the stream chunks.
ok<Accepts<ChatCompletionRequest, OpenAI.ChatCompletionCreateParamsNonStreaming>>();
ok<Accepts<ChatCompletionRequest, OpenAI.ChatCompletionCreateParamsStreaming>>();
ok<Accepts<ChatCompletion, OpenAI.ChatCompletion>>();
ok<Accepts<ChatCompletionChunk, OpenAI.ChatCompletionChunk>>();
