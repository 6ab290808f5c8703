/** Entry point: load and validate the config, start the gateway, stop cleanly on signals. */
import { ConfigError, loadConfig } from './config/config.ts';
import { startGateway } from './gateway.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
    throw e;
  }
  const gw = await startGateway(config);
  const stop = async (sig: string) => {
    gw.rt.log.info({ sig }, 'shutting down: draining usage events');
    await gw.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => { console.error(e); process.exit(1); });
