/**
 * Small helpers shared by the admin API's resource modules: JSON responses (bigint-safe, never
 * cached), zod-validated JSON bodies and query strings (400 with a message naming each bad
 * field), ISO timestamps and access to the SQL store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { internalError, invalidRequest } from '../core/errors.ts';
import { parseJsonObject, readBody } from '../http/body.ts';
import type { Runtime } from '../exchange/runtime.ts';
import type { DB } from '../store/schema.ts';
import { usdToPico } from '../core/money.ts';

/** Admin request bodies are small; anything bigger is a mistake. */
const MAX_ADMIN_BODY = 64 * 1024;

export function sendJson(res: ServerResponse, requestId: string, status: number, value: unknown): void {
  const body = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  });
  res.end(body);
}

/** "field: problem; other: problem" — one line naming every invalid field. */
export function describeZodError(err: z.ZodError, what: string): string {
  const parts = err.issues.map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`);
  return `invalid ${what}: ${parts.join('; ')}`;
}

/** Reads and validates a JSON body; every failure is a 400 (413 past the size limit). */
export async function readJsonBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  const raw = await readBody(req, MAX_ADMIN_BODY);
  const obj = parseJsonObject(raw.length ? raw : Buffer.from('{}'));
  const r = schema.safeParse(obj);
  if (!r.success) throw invalidRequest(describeZodError(r.error, 'body'));
  return r.data;
}

/** Validates the query string (single-valued parameters only). */
export function readQuery<S extends z.ZodType>(req: IncomingMessage, schema: S): z.output<S> {
  const params = new URL(req.url ?? '/', 'http://admin.invalid').searchParams;
  const obj: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k in obj) throw invalidRequest(`invalid query: ${k} given more than once`);
    obj[k] = v;
  }
  const r = schema.safeParse(obj);
  if (!r.success) throw invalidRequest(describeZodError(r.error, 'query'));
  return r.data;
}

export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}

/** The store behind the admin API (wired by `startGateway`). */
export function dbOf(rt: Runtime): Kysely<DB> {
  if (!rt.db) throw internalError('the admin API has no database (Runtime.db is not wired)');
  return rt.db;
}

/** A `YYYY-MM-DD` UTC day that really exists. */
export const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/**
 * Money on the admin API is a decimal string, always: a JSON number is refused (a binary float
 * cannot carry 1234567.1 exactly). Up to $10^24, at most 12 decimals.
 */
export const MONEY_STRING_ONLY = 'money is a decimal string such as "25.00"; JSON numbers are refused because they cannot carry every amount exactly';
/** Whether a decimal USD string is within what one stored amount holds. */
export const usdFits = (s: string): boolean => {
  try {
    usdToPico(s);
    return true;
  } catch {
    return false;
  }
};
const moneyString = () => z.string({ error: (i) => (i.input === undefined ? undefined : MONEY_STRING_ONLY) }).trim();
/** A signed amount (adjustments): the same rules, with an optional leading minus. */
export const signedUsdAmount = moneyString()
  .regex(/^-?\d{1,25}(\.\d{1,12})?$/, 'expected a decimal USD amount like "-1.50"')
  .refine((s) => usdFits(s.replace(/^-/, '')), 'amount too large: at most $10^24');
export const usdAmount = moneyString()
  .regex(/^\d{1,25}(\.\d{1,12})?$/, 'expected a decimal USD amount like "25" or "0.50"')
  .refine((s) => usdFits(s), 'amount too large: at most $10^24');
