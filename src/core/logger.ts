/** Structured logs (pino) with secrets redacted wherever they could appear. */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]',
  '*.apiKey', '*.api_key', '*.key', '*.secret', '*.password', 'apiKey', 'key', 'secret', 'password', 'config.anthropic.apiKey',
  'config.openai.apiKey', 'config.adminToken', 'config.masterKey', 'config.smtp.url',
  'config.stripe.secretKey', 'config.stripe.webhookSecret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'tollgate' } }, destination);
}
