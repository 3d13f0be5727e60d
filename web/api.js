// The portal's only way to the server: the JSON API under /api/v1 with the
// session cookie (sent by the browser) and the CSRF token on unsafe methods.
// Failures become ApiError with the problem's status, code, field and the
// per-field errors, so forms can show each message next to its field.
import { t, language } from './i18n.js';

let csrf = null;

export function setCsrf(token) { csrf = token || null; }

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || 'http_error';
    this.field = problem?.field || null;
    this.errors = problem?.errors || (problem?.field ? [{ field: problem.field, message: problem.detail }] : []);
    this.problem = problem || {};
    // Seconds to wait before asking again (a 429's Retry-After), or null.
    this.retryAfter = Number(problem?.retry_after) || null;
  }
}

function url(path, query) {
  const u = new URL(path.startsWith('/') ? path : `/api/v1/${path}`, location.origin);
  if (!u.pathname.startsWith('/api/')) u.pathname = `/api/v1${u.pathname}`;
  for (const [k, v] of Object.entries(query || {}))
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  return u;
}

// A fresh key per logical action: retries of the same action reuse it.
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function request(method, path, { query, body, key } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': language() };
  if (method !== 'GET') {
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (key) headers['Idempotency-Key'] = key;
  }
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url(path, query), { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: t('ui.network') });
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok && res.headers.has('Retry-After')) json = { ...json, retry_after: res.headers.get('Retry-After') };
  if (!res.ok) {
    if (res.status === 401 && !path.includes('auth/login')) window.dispatchEvent(new CustomEvent('creditd:signed-out'));
    // The business now requires two factors: the shell sends the user to enrol.
    if (res.status === 403 && json?.code === 'totp_enrolment_required') window.dispatchEvent(new CustomEvent('creditd:me-changed'));
    throw new ApiError(res.status, json);
  }
  return json;
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body = {}, opts = {}) => request('POST', path, { body, key: opts.key }),
  patch: (path, body = {}, opts = {}) => request('PATCH', path, { body, key: opts.key }),
  del: (path) => request('DELETE', path),
  // All pages of a list (follows next_cursor), at most `max` items.
  async all(path, query = {}, max = 1000) {
    const items = [];
    let cursor;
    do {
      const page = await request('GET', path, { query: { ...query, limit: 200, cursor } });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return items;
  },
  // Multipart upload of one file with progress (fetch has no upload progress);
  // method: POST, or PUT for a resource replaced whole (the logo).
  upload(path, file, { query, key, onProgress, method = 'POST' } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url(path, query));
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Accept-Language', language());
      if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
      if (key) xhr.setRequestHeader('Idempotency-Key', key);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        let json = null;
        try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { json = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(json);
        else reject(new ApiError(xhr.status, json));
      };
      xhr.onerror = () => reject(new ApiError(0, { code: 'network', detail: t('ui.upload_interrupted') }));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  },
};
