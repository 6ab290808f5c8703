/**
 * `tollgate user create|update|list` — console users (docs/accounts.md). Users made here are
 * verified (the operator vouches for the address). The password comes from stdin
 * (`--password-stdin`, never from argv where `ps` shows it), or a random one is printed once.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { emailSchema, passwordSchema } from '../../accounts/email.ts';
import { hashPassword } from '../../accounts/password.ts';
import { requireRole, Users } from '../../accounts/users.ts';
import { AccountsService } from '../../accounts/service.ts';
import { withContext } from '../context.ts';
import { iso, print, table } from '../output.ts';

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('console users (sign-in with email and password)');

  user
    .command('create')
    .description('create a verified user, optionally an operator or a member of an org')
    .requiredOption('--email <email>', 'their email address')
    .option('--password-stdin', 'read the password from the first line of stdin (else a random one is printed once)')
    .option('--operator', 'an operator: sees and manages every org')
    .option('--org <org>', 'add them to this org…')
    .option('--role <role>', '…with this role (owner|admin|developer|billing|viewer)', 'admin')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const email = emailSchema.safeParse(o.email);
        if (!email.success) fail('--email: expected an email address');
        const generated = o.passwordStdin ? undefined : randomBytes(12).toString('base64url');
        const password = generated ?? (await readStdinLine());
        if (!passwordSchema.safeParse(password).success) fail('the password must be 8 to 200 characters');
        const role = o.org ? requireRole(o.role) : undefined;
        if (o.org) await new AccountsService(store.db, clock).requireOrg(o.org);
        const users = new Users(store.db, clock);
        const passwordHash = await hashPassword(password);
        const u = await store.db
          .transaction()
          .execute((trx) => users.insert(trx, { email: email.data!, passwordHash, verified: true, operator: !!o.operator }));
        if (o.org && role) await users.addMember(o.org, u.id, role, actor);
        const out = {
          id: u.id,
          email: u.email,
          operator: u.operator,
          org_id: o.org ?? null,
          role: role ?? null,
          ...(generated ? { password: generated } : {}),
        };
        print(
          o.json,
          out,
          () =>
            `created user ${u.id} (${u.email})${u.operator ? ', operator' : ''}${o.org ? `, ${role} of ${o.org}` : ''}${generated ? `\npassword (shown once): ${generated}` : ''}`,
        );
      }),
    );

  user
    .command('update')
    .description('mark a user operator (or not)')
    .requiredOption('--email <email>', 'their email address')
    .option('--operator', 'make them an operator')
    .option('--no-operator', 'make them a plain user')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock, actor }) => {
        const users = new Users(store.db, clock);
        const u = await users.byEmail(o.email);
        if (!u) fail(`no user with the address ${o.email}`);
        if (o.operator !== undefined) await users.setOperator(u.id, !!o.operator, actor);
        const after = (await users.byId(u.id))!;
        print(
          o.json,
          { id: after.id, email: after.email, operator: after.operator },
          () => `user ${after.id} (${after.email}): ${after.operator ? 'operator' : 'not an operator'}`,
        );
      }),
    );

  user
    .command('list')
    .description('the newest users')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'machine-readable output')
    .action((o) =>
      withContext(async ({ store, clock }) => {
        const rows = (await new Users(store.db, clock).list(Math.max(1, Math.min(10_000, Number(o.limit) || 100)))).map((u) => ({
          id: u.id,
          email: u.email,
          verified: u.verifiedAt != null,
          operator: u.operator,
          created_at: iso(u.createdAt),
        }));
        print(o.json, rows, () => table(rows));
      }),
    );
}
