/**
 * Per-org billing details: the customer block of invoices, tax rate, payment terms, line
 * granularity and billing contacts. Every change is written to the audit log by `actor`.
 */
import type { Kysely } from 'kysely';
import { invalidRequest, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { DB } from '../../store/schema.ts';
import { SYSTEM, type Actor } from '../../audit/actor.ts';
import { recordAudit } from '../../audit/log.ts';
import type { Clock } from '../../core/clock.ts';

const profileView = (p: Profile) => ({
  legal_name: p.legalName,
  address: p.address,
  tax_id: p.taxId,
  tax_rate_e4: p.taxRateE4,
  net_days: p.netDays,
  per_workspace: p.perWorkspace,
});
const contactView = (c: Contact) => ({ id: c.id, email: c.email, name: c.name });

export interface Profile {
  orgId: string;
  legalName: string | null;
  address: string | null;
  taxId: string | null;
  taxRateE4: bigint;
  netDays: number | null;
  perWorkspace: boolean;
}
export interface Contact {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  createdAt: number;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

export class BillingProfiles {
  constructor(
    private db: Kysely<DB>,
    private clock: Clock,
  ) {}

  async get(orgId: string): Promise<Profile> {
    const r = await this.db.selectFrom('billing_profiles').selectAll().where('org_id', '=', orgId).executeTakeFirst();
    return {
      orgId,
      legalName: r?.legal_name ?? null,
      address: r?.address ?? null,
      taxId: r?.tax_id ?? null,
      taxRateE4: r?.tax_rate_e4 ?? 0n,
      netDays: r?.net_days == null ? null : Number(r.net_days),
      perWorkspace: r ? r.per_workspace === 1n : false,
    };
  }

  async set(orgId: string, patch: Partial<Omit<Profile, 'orgId'>>, actor: Actor = SYSTEM): Promise<Profile> {
    const cur = await this.get(orgId);
    const next = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Profile;
    if (next.taxRateE4 < 0n || next.taxRateE4 > 1_000_000n) throw invalidRequest('tax rate must be between 0 and 100 %');
    if (next.netDays !== null && (!Number.isInteger(next.netDays) || next.netDays < 0 || next.netDays > 365))
      throw invalidRequest('payment terms must be 0-365 days');
    const row = {
      org_id: orgId,
      legal_name: next.legalName,
      address: next.address,
      tax_id: next.taxId,
      tax_rate_e4: next.taxRateE4,
      net_days: next.netDays,
      per_workspace: next.perWorkspace ? 1n : 0n,
      updated_at: this.clock.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('billing_profiles')
        .values(row)
        .onConflict((oc) => oc.column('org_id').doUpdateSet(row))
        .execute();
      await recordAudit(trx, actor, row.updated_at, {
        orgId,
        action: 'billing.profile',
        targetType: 'billing_profile',
        targetId: orgId,
        before: profileView(cur),
        after: profileView(next),
      });
    });
    return this.get(orgId);
  }

  async contacts(orgId: string): Promise<Contact[]> {
    return (await this.db.selectFrom('billing_contacts').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute()).map((r) => ({
      id: r.id,
      orgId: r.org_id,
      email: r.email,
      name: r.name,
      createdAt: Number(r.created_at),
    }));
  }

  async addContact(orgId: string, email: string, name?: string | null, actor: Actor = SYSTEM): Promise<Contact> {
    const e = email.trim().toLowerCase();
    if (!EMAIL.test(e) || e.length > 254) throw invalidRequest(`not an e-mail address: ${JSON.stringify(email)}`);
    const row = { id: newId('bcon'), org_id: orgId, email: e, name: name?.trim() || null, created_at: this.clock.now() };
    await this.db.transaction().execute(async (trx) => {
      const r = await trx
        .insertInto('billing_contacts')
        .values(row)
        .onConflict((oc) => oc.columns(['org_id', 'email']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return; // already a contact: nothing changed
      await recordAudit(trx, actor, row.created_at, {
        orgId,
        action: 'billing.contact.add',
        targetType: 'billing_contact',
        targetId: row.id,
        after: { id: row.id, email: row.email, name: row.name },
      });
    });
    return (await this.contacts(orgId)).find((c) => c.email === e)!;
  }

  async removeContact(orgId: string, idOrEmail: string, actor: Actor = SYSTEM): Promise<Contact> {
    const c = (await this.contacts(orgId)).find((x) => x.id === idOrEmail || x.email === idOrEmail.trim().toLowerCase());
    if (!c) throw notFound(`billing contact ${idOrEmail} not found in org ${orgId}`);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('billing_contacts').where('id', '=', c.id).execute();
      await recordAudit(trx, actor, this.clock.now(), {
        orgId,
        action: 'billing.contact.remove',
        targetType: 'billing_contact',
        targetId: c.id,
        before: contactView(c),
      });
    });
    return c;
  }
}
