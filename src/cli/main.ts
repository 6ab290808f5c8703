/** The `tollgate` command line. Every subcommand takes `--json`; errors go to stderr with exit 1. */
import { Command } from 'commander';
import { ConfigError } from '../config/config.ts';
import { GatewayError } from '../core/errors.ts';
import { registerKey } from './commands/key.ts';
import { registerOrg, registerOrgTier } from './commands/org.ts';
import { registerPriceGroups, registerPrices } from './commands/prices.ts';
import { registerUsage } from './commands/usage.ts';
import { registerLimits } from './commands/limits.ts';
import { registerAutoReload, registerCredits } from './commands/credits.ts';
import { registerAlerts } from './commands/alerts.ts';
import { registerUpstream } from './commands/upstream.ts';
import { registerPayments } from './commands/payments.ts';
import { registerInvoices } from './commands/invoices.ts';
import { registerAudit } from './commands/audit.ts';
import { registerDeadLetters } from './commands/dead-letters.ts';
import { registerUser } from './commands/user.ts';
import { registerWorkspace } from './commands/policy.ts';
import { checkKnownIds } from './known-ids.ts';
import { readFileSync } from 'node:fs';

// `tollgate … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  else throw e;
});

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('tollgate')
  .description('Tollgate LLM gateway: orgs, keys, prices, usage, limits')
  .showHelpAfterError()
  .version(version, '-V, --version', 'print the version');
program.hook('preAction', (_self, action) => checkKnownIds(action));
registerOrg(program);
registerOrgTier(program);
registerUser(program);
registerKey(program);
registerUsage(program);
registerDeadLetters(program.commands.find((c) => c.name() === 'usage')!);
registerPrices(program);
registerPriceGroups(program);
registerLimits(program);
registerCredits(program);
registerAutoReload(program);
registerAlerts(program);
registerUpstream(program);
registerPayments(program);
registerInvoices(program);
registerAudit(program);
registerWorkspace(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const msg = e instanceof ConfigError ? e.message : e instanceof GatewayError ? `${e.type}: ${e.message}` : (e as Error).message;
  process.stderr.write(`tollgate: ${msg}\n`);
  process.exitCode = 1;
}
