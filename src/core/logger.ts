/**
 * Structured logs (pino) with secrets redacted wherever they could appear. JSON lines by default;
 * human-readable (pino-pretty, in-process) when stdout is a terminal or `LOG_FORMAT=pretty`.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.secret',
  '*.password',
  'apiKey',
  'key',
  'secret',
  'password',
  'config.anthropic.apiKey',
  'config.openai.apiKey',
  'config.adminToken',
  'config.masterKey',
  'config.smtp.url',
  'config.stripe.secretKey',
  'config.stripe.webhookSecret',
  'config.metrics.token',
  'config.otel.headers',
];

export type LogFormat = 'auto' | 'json' | 'pretty';

/** True when logs should be pretty-printed: asked for, or `auto` and stdout is a terminal. */
export function wantsPretty(format: LogFormat, isTTY = Boolean(process.stdout.isTTY)): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

function prettyStream(): pino.DestinationStream {
  // Loaded only when used: pino-pretty is not needed for JSON logs.
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => pino.DestinationStream;
  return pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,svc', sync: true });
}

export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const dest = destination ?? (wantsPretty(format) ? prettyStream() : undefined);
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'tollgate' } }, dest);
}
