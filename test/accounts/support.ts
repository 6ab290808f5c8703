/**
 * Helpers for the account tests: a browser-like client (cookie jar, CSRF header from the session
 * response) driving a running gateway with fetch, and reading links out of the mails a real SMTP
 * server received.
 */
import assert from 'node:assert/strict';
import type { Mail } from '../alerts/support.ts';

/** Decodes a quoted-printable body (nodemailer wraps long lines with soft breaks). */
export function decodeQp(s: string): string {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Waits for a mail to `to` whose subject matches, and returns it with the first link in its body. */
export async function waitForMail(mails: Mail[], to: string, subject: RegExp, timeoutMs = 5000): Promise<{ mail: Mail; link: string; token: string }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const mail = [...mails].reverse().find((m) => m.to.some((t) => t.toLowerCase() === to.toLowerCase()) && subject.test(m.subject));
    if (mail) {
      const body = decodeQp(mail.text);
      const link = /(https?:\/\/\S+)/.exec(body)?.[1];
      assert.ok(link, `a link in the mail: ${body}`);
      const token = decodeURIComponent(/token=([^&\s]+)/.exec(link)![1]!);
      return { mail, link, token };
    }
    if (Date.now() > end) throw new Error(`no mail to ${to} matching ${subject}; got ${mails.map((m) => `${m.to} ${m.subject}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Res {
  status: number;
  json: any;
  headers: Headers;
}

/** A client that keeps cookies like a browser and sends the CSRF token it was given. */
export class Browser {
  cookies = new Map<string, string>();
  csrf: string | undefined;
  /** Sent as Origin on every request (a browser always sends it on POST). */
  origin: string | undefined;

  constructor(readonly base: string) {
    this.origin = base;
  }

  private absorb(h: Headers) {
    for (const c of h.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async req(method: string, path: string, body?: unknown, o: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && (o.csrf ?? true) && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (method !== 'GET' && this.origin && !('origin' in headers)) headers.origin = this.origin;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    this.absorb(r.headers);
    const text = await r.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (json && typeof json === 'object' && typeof json.csrf_token === 'string') this.csrf = json.csrf_token;
    return { status: r.status, json, headers: r.headers };
  }

  get = (path: string) => this.req('GET', path);
  post = (path: string, body?: unknown, o?: { csrf?: boolean; headers?: Record<string, string> }) => this.req('POST', path, body ?? {}, o);
}
