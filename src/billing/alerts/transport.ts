/**
 * The two ways an alert leaves the gateway: a signed webhook POST and an SMTP mail. Each call
 * is one attempt and resolves to an Outcome (never throws); retrying is the caller's job.
 * Errors name what failed (status, errno, SMTP reply) but never the URL or credentials.
 */
import nodemailer from 'nodemailer';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload } from './signature.ts';

export interface Outcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

function describe(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timeout';
  if (err?.name === 'AbortError') return 'aborted';
  const code = err?.cause?.code ?? err?.code;
  const msg = err?.cause?.message ?? err?.message ?? String(e);
  // A URL may carry credentials (userinfo, query tokens): never record one.
  return (code ? `${code}: ${msg}` : msg).replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 300);
}

/** One signed webhook POST; 2xx is success, anything else (3xx included: redirects are not followed) fails. */
export async function postWebhook(
  fetchFn: typeof fetch,
  req: { url: string; body: string; secret: string; eventId: string; nowSec: number; timeoutMs: number; signal?: AbortSignal },
): Promise<Outcome> {
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
  try {
    const res = await fetchFn(req.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.any(signals),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tollgate-Webhooks/1',
        [EVENT_ID_HEADER]: req.eventId,
        [SIGNATURE_HEADER]: signPayload(req.body, req.secret, req.nowSec),
      },
      body: req.body,
    });
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, statusCode: null, error: describe(e) };
  }
}

/** An SMTP sender over `smtp.url` (smtp:// or smtps://, credentials in the URL). */
export class Mailer {
  private transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    url: string,
    private from: string,
  ) {
    this.transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  }

  async send(mail: {
    to: string;
    subject: string;
    text: string;
    headers?: Record<string, string>;
    attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  }): Promise<Outcome> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        headers: mail.headers,
        attachments: mail.attachments,
      });
      const code = /^(\d{3})/.exec(String(info?.response ?? ''))?.[1];
      return { ok: true, statusCode: code ? Number(code) : null, error: null };
    } catch (e) {
      const rc = (e as { responseCode?: number }).responseCode;
      return { ok: false, statusCode: typeof rc === 'number' && rc > 0 ? rc : null, error: describe(e) };
    }
  }

  close(): void {
    this.transport.close();
  }
}
