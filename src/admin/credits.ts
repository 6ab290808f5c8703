/**
 * Admin API — prepaid credits (the append-only ledger; the balance is its projection).
 *   GET  orgs/{org}/credits   balance (as `tollgate credits balance`) and history: ledger entries and
 *                             daily usage debits, oldest first (as `tollgate credits history`), and
 *                             `allocation`: which lot paid for which usage (as `tollgate credits explain`)
 *   POST orgs/{org}/credits   {kind: grant|purchase|adjustment, amount_usd, expires_in_days?, note?, ref?}
 *                             operator only; a repeated `ref` is a no-op that returns the first entry
 */
import { z } from 'zod';
import { Ledger } from '../billing/ledger.ts';
import { fail } from '../core/errors.ts';
import { picoToUsd, usdToPico } from '../core/money.ts';
import { usageByDay } from '../usage/report.ts';
import { explainView } from '../billing/lots.ts';
import { dbOf, iso, readJsonBody, sendJson, signedUsdAmount } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';
import type { CreditsResponse } from './api-types.ts';
import { fixedClock } from '../core/clock.ts';

const AddCredits = z
  .strictObject({
    kind: z.enum(['grant', 'purchase', 'adjustment']),
    amount_usd: signedUsdAmount,
    expires_in_days: z.number().int('whole days').min(1).max(3650).optional(),
    note: z.string().trim().max(500).optional(),
    ref: z.string().trim().min(1).max(200).optional(),
  })
  .refine((b) => b.kind === 'adjustment' || !String(b.amount_usd).startsWith('-'), {
    message: 'grants and purchases must be positive; use kind "adjustment" for a negative correction',
    path: ['amount_usd'],
  })
  .refine((b) => !/^-?[0.]+$/.test(String(b.amount_usd)), { message: 'must not be zero', path: ['amount_usd'] });

async function getCredits({ rt, res, requestId, params }: AdminContext) {
  const db = dbOf(rt);
  const orgId = params.org!;
  const ledger = new Ledger(db, rt.clock);
  const [bal, entries, days, lots] = await Promise.all([ledger.balance(orgId), ledger.entries(orgId), usageByDay(db, { orgId }), ledger.explain(orgId)]);
  const history = [
    ...entries.map((e) => ({
      id: e.id as string | null,
      at: iso(e.createdAt)!,
      kind: e.kind as string,
      amount_usd: picoToUsd(e.amount),
      expires_at: iso(e.expiresAt),
      note: e.note,
    })),
    ...days.map((d) => ({
      id: null,
      at: `${d.day}T23:59:59.999Z`,
      kind: 'usage',
      amount_usd: picoToUsd(-usdToPico(d.cost_usd)),
      expires_at: null,
      note: `${d.requests} requests`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  sendJson(res, requestId, 200, {
    org_id: orgId,
    balance_usd: picoToUsd(bal.balance),
    credits_usd: picoToUsd(bal.credits),
    usage_usd: picoToUsd(bal.usage),
    history,
    /** Which credit lot paid for which usage, and what lapsed (src/billing/lots.ts). */
    allocation: explainView(lots),
  } satisfies CreditsResponse);
}

async function addCredits({ rt, req, res, requestId, params, caller }: AdminContext) {
  const body = await readJsonBody(req, AddCredits);
  const orgId = params.org!;
  const now = rt.clock.now();
  const ledger = new Ledger(dbOf(rt), fixedClock(now), caller.actor);
  const e = await ledger.append({
    orgId,
    kind: body.kind,
    amount: usdToPico(String(body.amount_usd)),
    expiresAt: body.expires_in_days ? now + body.expires_in_days * 86_400_000 : null,
    ref: body.ref ?? null,
    note: body.note ?? 'admin API',
  });
  if (e.orgId !== orgId) throw fail.ref_conflict(`ref ${body.ref} is already used by another organization's ledger entry`);
  const bal = await ledger.balance(orgId);
  sendJson(res, requestId, 201, {
    entry_id: e.id,
    kind: e.kind,
    amount_usd: picoToUsd(e.amount),
    expires_at: iso(e.expiresAt),
    balance_usd: picoToUsd(bal.balance),
  });
}

export const creditRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/credits', permission: 'credits:read', handler: getCredits },
  { method: 'POST', pattern: 'orgs/:org/credits', permission: 'credits:grant', handler: addCredits },
];
