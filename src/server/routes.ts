/** The route table: every public endpoint and which surface renders its errors. */
import { consoleRoutes } from '../admin/console.ts';
import { adminRoutes } from '../admin/router.ts';
import { compatRoutes } from '../admin/compat/router.ts';
import { handleCountTokens } from '../surfaces/anthropic/count-tokens.ts';
import { handleMessages } from '../surfaces/anthropic/messages.ts';
import { handleModels } from '../surfaces/models.ts';
import { handleChat } from '../surfaces/openai/chat.ts';
import type { Route } from './http.ts';

export function publicRoutes(): Route[] {
  return [
    { method: 'POST', path: '/v1/messages', surface: 'anthropic', handler: handleMessages },
    { method: 'POST', path: '/v1/messages/count_tokens', surface: 'anthropic', handler: handleCountTokens },
    { method: 'POST', path: '/v1/chat/completions', surface: 'openai', handler: handleChat },
    { method: 'GET', path: '/v1/models', surface: 'openai', handler: (rt, req, res, id) => handleModels(rt, req, res, id) },
    { method: 'GET', path: '/v1/models/', surface: 'openai', prefix: true, handler: (rt, req, res, id, p) => handleModels(rt, req, res, id, p) },
    ...adminRoutes(),
    ...compatRoutes(),
    ...consoleRoutes(),
  ];
}
