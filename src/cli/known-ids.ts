/**
 * An unknown id is an error, in every command: before a command that names an org (`--org`), a
 * workspace (`--workspace`) or a key (`--key`) runs, the id is looked up, and an unknown one ends the command with
 * `not_found_error` and exit code 1 (a typo'd org id must not print a plausible report of zeros).
 * Commands that take an id as an argument (a key, a payment, an invoice number…) check it themselves.
 */
import type { Command } from 'commander';
import { notFound } from '../core/errors.ts';
import { withContext } from './context.ts';

export async function checkKnownIds(cmd: Command): Promise<void> {
  const o = cmd.opts() as { org?: unknown; workspace?: unknown; key?: unknown };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const org = str(o.org);
  const ws = str(o.workspace);
  const key = str(o.key);
  if (org === undefined && ws === undefined && key === undefined) return;
  await withContext(async ({ store }) => {
    if (org !== undefined) {
      const r = await store.db.selectFrom('orgs').select('id').where('id', '=', org).executeTakeFirst();
      if (!r) throw notFound(`org ${org} not found`);
    }
    if (ws !== undefined) {
      let q = store.db.selectFrom('workspaces').select('id').where('id', '=', ws);
      if (org !== undefined) q = q.where('org_id', '=', org);
      if (!(await q.executeTakeFirst())) throw notFound(org === undefined ? `workspace ${ws} not found` : `workspace ${ws} not found in org ${org}`);
    }
    if (key !== undefined) {
      let q = store.db.selectFrom('api_keys').select('id').where('id', '=', key);
      if (org !== undefined) q = q.where('org_id', '=', org);
      if (!(await q.executeTakeFirst())) throw notFound(org === undefined ? `key ${key} not found` : `key ${key} not found in org ${org}`);
    }
  });
}
