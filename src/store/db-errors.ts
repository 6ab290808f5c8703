/**
 * Whether a database error means "the database is unreachable or unavailable right now" (retry
 * later) rather than "the database refuses this row" (it will refuse it again). The usage writer
 * dead-letters only the second kind: a row caught in a PostgreSQL restart must be retried, never
 * parked as refused.
 *
 * PostgreSQL SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * 08 connection exception, 53 insufficient resources, 57 operator intervention (admin/crash
 * shutdown, cannot connect now), 58 system error. Errors without a SQLSTATE from the driver or the
 * socket (connection terminated, refused, reset, timeouts) are unavailability too. SQLite result
 * codes (https://www.sqlite.org/rescode.html): BUSY, LOCKED, IOERR, FULL, CANTOPEN, READONLY, NOMEM.
 */
const PG_UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|PROTOCOL|NOTADB)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const NET_MESSAGE =
  /connection terminated|connection error|terminating connection|timeout exceeded when trying to connect|connection is closed|not queryable|socket hang up/i;

export function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return PG_UNAVAILABLE_CLASSES.has(code.slice(0, 2));
    if (SQLITE_UNAVAILABLE.test(code)) return true;
    if (NET_CODES.has(code)) return true;
  }
  if (NET_MESSAGE.test(e.message)) return true;
  const cause = (e as { cause?: unknown }).cause;
  return cause !== undefined && cause !== e && isDatabaseUnavailable(cause);
}
