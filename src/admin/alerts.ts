/**
 * Admin API — alert recipients (src/billing/alerts): where an org's spend and billing alerts go.
 *   GET  orgs/{org}/alerts                            the org's channels (never a webhook's secret) and its 20 latest alerts
 *   POST orgs/{org}/alerts/channels                   {kind: email|webhook, target} → 201 the channel; a webhook's
 *                                                     signing secret is in this answer only (`secret`)
 *   POST orgs/{org}/alerts/channels/{channel}/disable stops a channel (its pending retries fail as "channel disabled")
 *
 * A tenant's webhook may not point at this machine or a private network (loopback, RFC 1918,
 * link-local, unique-local, `localhost`): the gateway would POST to it. The operator may.
 * Recipients are org-wide, like billing contacts: reading them needs `org:read`, changing them
 * `billing:pay` (owners, admins and billing; not developers, viewers or workspace admin keys).
 * Thresholds live on the spend limits (`PUT orgs/{org}/limits` `notify`).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { AlertService } from '../billing/alerts/index.ts';
import { invalidRequest, notFound } from '../core/errors.ts';
import { picoToUsd } from '../core/money.ts';
import { SecretBox } from '../core/secret-box.ts';
import type { AlertsResponse, AlertChannelView, CreatedAlertChannel } from './api-types.ts';
import { dbOf, iso, readJsonBody, sendJson } from './respond.ts';
import type { AdminContext, AdminRoute } from './types.ts';

const AddChannel = z.strictObject({
  kind: z.enum(['email', 'webhook']),
  target: z.string().trim().min(3).max(2000),
});

function service(c: AdminContext): AlertService {
  const box = c.rt.config.masterKey ? new SecretBox(c.rt.config.masterKey) : undefined;
  return new AlertService(dbOf(c.rt), { clock: c.rt.clock, log: c.rt.log, box, actor: c.caller.actor });
}

const view = (ch: { id: string; kind: string; target: string; createdAt: number; disabledAt: number | null }): AlertChannelView => ({
  id: ch.id,
  kind: ch.kind as AlertChannelView['kind'],
  target: ch.target,
  created_at: iso(ch.createdAt),
  disabled_at: iso(ch.disabledAt),
});

/** True for hosts on this machine or a private network (by name or literal address). */
export function privateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal')) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (v === 6) return h === '::1' || h === '::' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || /^::ffff:/.test(h);
  return false;
}

async function list(c: AdminContext) {
  const svc = service(c);
  const orgId = c.params.org!;
  const [channels, alerts] = await Promise.all([svc.listChannels(orgId), svc.alerts(orgId, 20)]);
  sendJson(c.res, c.requestId, 200, {
    org_id: orgId,
    channels: channels.map(view),
    recent: alerts.map((a) => ({
      id: a.id,
      scope: a.scope,
      scope_id: a.scopeId,
      period: a.period,
      kind: a.kind,
      threshold: a.kind === 'credits_low' ? picoToUsd(a.threshold) : String(a.threshold),
      amount_usd: picoToUsd(a.amountPico),
      limit_usd: a.limitPico === null ? null : picoToUsd(a.limitPico),
      balance_usd: a.balancePico === null ? null : picoToUsd(a.balancePico),
      created_at: iso(a.createdAt),
    })),
  } satisfies AlertsResponse);
}

async function add(c: AdminContext) {
  const body = await readJsonBody(c.req, AddChannel);
  const orgId = c.params.org!;
  const svc = service(c);
  if (body.kind === 'email') {
    sendJson(c.res, c.requestId, 201, view(await svc.addEmail(orgId, body.target)) satisfies CreatedAlertChannel);
    return;
  }
  let u: URL;
  try {
    u = new URL(body.target);
  } catch {
    throw invalidRequest('invalid body: target: a webhook needs an http:// or https:// URL');
  }
  if (c.caller.kind !== 'operator' && privateHost(u.hostname)) {
    throw invalidRequest('invalid body: target: a webhook must be reachable on the public internet (not this machine or a private network)');
  }
  const ch = await svc.addWebhook(orgId, u.toString());
  sendJson(c.res, c.requestId, 201, { ...view(ch), secret: ch.secret } satisfies CreatedAlertChannel);
}

async function disable(c: AdminContext) {
  const svc = service(c);
  const orgId = c.params.org!;
  const mine = (await svc.listChannels(orgId)).find((ch) => ch.id === c.params.channel);
  if (!mine) throw notFound(`alert channel ${c.params.channel} not found`);
  sendJson(c.res, c.requestId, 200, view(await svc.disableChannel(mine.id)));
}

export const alertRoutes: AdminRoute[] = [
  { method: 'GET', pattern: 'orgs/:org/alerts', permission: 'org:read', handler: list },
  { method: 'POST', pattern: 'orgs/:org/alerts/channels', permission: 'billing:pay', handler: add },
  { method: 'POST', pattern: 'orgs/:org/alerts/channels/:channel/disable', permission: 'billing:pay', handler: disable },
];
