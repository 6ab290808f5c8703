/**
 * A real gateway process (`node --import tsx src/main.ts`) for tests that need signals and exit
 * codes, plus a customer created directly in its database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openStore } from '../../src/store/connect.ts';
import { migrate } from '../../src/store/migrate.ts';
import { AccountsService } from '../../src/accounts/service.ts';
import { Ledger } from '../../src/billing/ledger.ts';
import { usdToPico } from '../../src/core/money.ts';
import { systemClock } from '../../src/core/clock.ts';

export async function startGatewayProcess(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string; output(): string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 150_000); // tsx start-up on a loaded box
    const onData = () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(t);
        proc.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`gateway exited ${code}: ${out}`));
    });
  });
  return { proc, url, output: () => out };
}

/** An org with credits, generous rate limits and an inference key, written straight to the database. */
export async function seedCustomer(databaseUrl: string, name = 'Test'): Promise<{ orgId: string; key: string }> {
  const s = await openStore(databaseUrl);
  try {
    await migrate(s);
    const accounts = new AccountsService(s.db, systemClock);
    const { org } = await accounts.createOrg({ name });
    await new Ledger(s.db, systemClock).append({ orgId: org.id, kind: 'purchase', amount: usdToPico('100') });
    await accounts.updateOrg(org.id, { rateLimits: JSON.stringify({ rpm: 100000, itpm: 100000000, otpm: 100000000 }) });
    const { key } = await accounts.createKey({ orgId: org.id });
    return { orgId: org.id, key };
  } finally {
    await s.close();
  }
}
