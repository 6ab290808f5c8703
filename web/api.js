/**
 * The console's only network access: the gateway's own admin API. The credential (an org API
 * key or the operator admin token) lives in sessionStorage only — gone when the tab closes —
 * and travels as `Authorization: Bearer …` on same-origin requests.
 */

const CREDENTIAL = 'tollgate.credential';

export const session = {
  get: () => sessionStorage.getItem(CREDENTIAL),
  set: (v) => sessionStorage.setItem(CREDENTIAL, v),
  clear: () => { sessionStorage.removeItem(CREDENTIAL); sessionStorage.removeItem('tollgate.org'); },
};

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** Calls `/admin/v1/<path>`; resolves with the parsed JSON or throws ApiError with the API's message. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const cred = session.get();
  if (cred) headers.authorization = `Bearer ${cred}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/admin/v1/${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', `Cannot reach the gateway (${e.message})`);
  }
  let data = null;
  try { data = await res.json(); } catch { /* empty or not JSON */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error?.type ?? 'error', data?.error?.message ?? `HTTP ${res.status}`);
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tollgate:unauthorized', { detail: err.message }));
    throw err;
  }
  return data;
}

/** `orgs/<id><rest>` with the id encoded. */
export const orgPath = (orgId, rest = '') => `orgs/${encodeURIComponent(orgId)}${rest}`;
