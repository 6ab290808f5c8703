/** Email addresses: a cheap shape check and the normalised form used for uniqueness and the once-per-address credit grant. */
import { z } from 'zod';

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'at most 254 characters')
  .regex(
    /^[^\s@<>(),;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    'expected an email address like name@example.com',
  );

const DOTLESS = new Set(['gmail.com', 'googlemail.com']);

/** Trimmed and lower-cased; for Gmail, dots and `+tags` in the local part dropped (they reach one mailbox). */
export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  let local = e.slice(0, at);
  let domain = e.slice(at + 1);
  if (DOTLESS.has(domain)) {
    local = local.replace(/\+.*$/, '').replace(/\./g, '');
    domain = 'gmail.com';
  } else {
    local = local.replace(/\+.*$/, '');
  }
  return `${local}@${domain}`;
}

export const passwordSchema = z.string().min(8, 'at least 8 characters').max(200, 'at most 200 characters');
