/** Renders docs/errors.md from the error table (src/core/error-codes.ts): `npm run docs:errors` writes it, a test compares. */
import { ERROR_CODES, OPENAI_ERROR_TYPE, type ErrorSpec } from '../src/core/error-codes.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

const status = (s: ErrorSpec['status']) => (s === 'upstream' ? "the upstream's" : s === 'stream' ? '200 (in the stream)' : String(s));

const retry = (s: ErrorSpec) => (s.retry === undefined ? '—' : String(s.retry));

export function errorDocsMarkdown(): string {
  const rows = Object.entries(ERROR_CODES as Record<string, ErrorSpec>).map(
    ([code, s]) =>
      `| \`${code}\` | ${status(s.status)} | \`${s.type}\` | \`${OPENAI_ERROR_TYPE[s.type]}\` | ${retry(s)} | ${cell(s.meaning)} | ${cell(s.when)} |`,
  );
  return `<!-- Generated from src/core/error-codes.ts by \`npm run docs:errors\`: edit the table there, not this file. -->
# Errors

Every error the gateway sends has a stable **code**. The Anthropic surface renders it as
\`{"type":"error","error":{"type":…,"message":…},"request_id":…}\` (with \`error.details\` where
a row says so); the OpenAI surface as \`{"error":{"message":…,"type":…,"param":…,"code":…}}\`,
where \`code\` is the code below; the admin API and the console as
\`{"error":{"type":…,"code":…,"message":…}}\`. Messages are for people and may change; match
on the code.

**retry** is the \`x-should-retry\` header the official SDKs obey: \`true\` or \`false\`, or
— where the gateway sends none, so the SDKs decide by the status (they retry 408, 409, 429
and 5xx). Error types follow https://docs.anthropic.com/en/api/errors and
https://platform.openai.com/docs/guides/error-codes.

| code | HTTP | Anthropic \`type\` | OpenAI \`type\` | retry | meaning | when |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}
