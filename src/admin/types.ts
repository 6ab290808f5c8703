/** The admin API's internal route shape: a method, a path pattern under `/admin/v1/`, and who may call it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../exchange/runtime.ts';
import type { Caller } from './auth.ts';
import type { Permission } from './permissions.ts';

export interface AdminContext {
  rt: Runtime;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  caller: Caller;
  /** Decoded `:name` segments of the pattern, by name. */
  params: Record<string, string>;
}

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT';
  /** Segments after `/admin/v1/`, e.g. `orgs/:org/usage` (`:org` is access-checked before the handler runs); or a full path from `/` (admin/compat). */
  pattern: string;
  /** What the caller's role must allow (admin/permissions.ts). */
  permission: Permission;
  /** Only an org's own admin keys may call it (the operator token has no organization): the compatible organization APIs. */
  tenantOnly?: boolean;
  handler(c: AdminContext): Promise<void>;
}
