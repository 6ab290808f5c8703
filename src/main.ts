/** Entry point: load and validate the config, start the gateway, stop cleanly on signals. */
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { startGateway } from './gateway.ts';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const gw = await startGateway(config);
  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) {
      // A second signal: stop now (open streams are cut; their usage is flushed by close()).
      gw.rt.log.warn({ sig }, 'second signal: closing now');
      await gw.close();
      process.exit(0);
    }
    stopping = true;
    gw.rt.log.info({ sig, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections; letting requests and streams finish, then flushing usage');
    await gw.shutdown();
    gw.rt.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
