/**
 * The console's only network access: this gateway's own APIs. Two ways in:
 * - a user session (log in with email and password, or the operator's admin token): the
 *   `tg_session` cookie (HttpOnly, the page never sees it) rides on same-origin requests, and every
 *   state-changing request carries the CSRF token as `x-csrf-token` (docs/accounts.md);
 * - an admin key (or the admin token) pasted into "Use an admin key": kept in sessionStorage only
 *   — gone when the tab closes — and sent as `Authorization: Bearer …`.
 */

const CREDENTIAL = 'tollgate.credential';
let csrf: string | null = null;

export const session = {
  get: (): string | null => sessionStorage.getItem(CREDENTIAL),
  set: (v: string): void => sessionStorage.setItem(CREDENTIAL, v),
  clear: (): void => {
    sessionStorage.removeItem(CREDENTIAL);
    sessionStorage.removeItem('tollgate.org');
  },
  /** The CSRF token of the cookie session (from the session response, or the `tg_csrf` cookie). */
  setCsrf: (token: string | null): void => {
    csrf = token;
  },
};

function csrfToken(): string | null {
  if (csrf) return csrf;
  const m = /(?:^|;\s*)tg_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  quiet401?: boolean;
}

async function call<T>(url: string, { method = 'GET', body, quiet401 }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const cred = session.get();
  if (cred) headers.authorization = `Bearer ${cred}`;
  else if (method !== 'GET') {
    const t = csrfToken();
    if (t) headers['x-csrf-token'] = t;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: cred ? 'omit' : 'same-origin',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', `Cannot reach the gateway (${e instanceof Error ? e.message : String(e)})`);
  }
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    /* empty or not JSON */
  }
  if (!res.ok) {
    const e = (data as { error?: { type?: string; code?: string; message?: string } } | null)?.error;
    const err = new ApiError(res.status, e?.type ?? 'error', e?.message ?? `HTTP ${res.status}`, e?.code);
    if (res.status === 401 && !quiet401) window.dispatchEvent(new CustomEvent('tollgate:unauthorized', { detail: err.message }));
    throw err;
  }
  return data as T;
}

/** Calls `/admin/v1/<path>`; resolves with the parsed JSON (typed by the caller with the server's shared types). */
export const api = <T>(path: string, opts?: RequestOptions): Promise<T> => call<T>(`/admin/v1/${path}`, opts);

/** Calls `/account/v1/<path>` (sign-up, log in, sessions, invitations). */
export const account = <T>(path: string, opts?: RequestOptions): Promise<T> => call<T>(`/account/v1/${path}`, { quiet401: true, ...opts });

/** Downloads `/admin/v1/<path>` as a file with the same credentials. */
export async function fetchBlob(path: string): Promise<Blob> {
  const cred = session.get();
  const res = await fetch(`/admin/v1/${path}`, {
    headers: cred ? { authorization: `Bearer ${cred}` } : {},
    cache: 'no-store',
    credentials: cred ? 'omit' : 'same-origin',
  });
  if (!res.ok) throw new Error(`download failed (HTTP ${res.status})`);
  return res.blob();
}

/** `orgs/<id><rest>` with the id encoded. */
export const orgPath = (orgId: string, rest = ''): string => `orgs/${encodeURIComponent(orgId)}${rest}`;
