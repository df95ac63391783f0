/** Calls the API on the same site with the signed-in user's ID token; errors keep the API's Chinese message, code and fields. */
import { idToken, renew, signIn } from './auth.ts';
import { consolePath, saveKeptForms } from './kept-forms.ts';

export interface FieldIssue {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
  /** The API's message for a body field (`body.name`, `body.name.0`, `body.name[0]` → 'name'), for the form item it names. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === `body.${field}` || d.field.startsWith(`body.${field}.`) || d.field.startsWith(`body.${field}[`))?.message;
  }
}

type Query = Record<string, string | number | undefined>;

async function send(method: string, path: string, opts: { query?: Query; body?: unknown }, token: string | undefined): Promise<Response> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
}

export async function api<T>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
  let res = await send(method, path, opts, idToken());
  // The token ran out while the page was open: renew silently once and retry (the form stays as it is).
  if (res.status === 401) {
    if (await renew()) res = await send(method, path, opts, idToken());
    else {
      // The session is over (the refresh token too): the forms on the page are kept, sign in, come back to them.
      saveKeptForms();
      await signIn(consolePath());
      throw new ApiError(401, 'SESSION_EXPIRED', '登录已过期：所填内容已保存，正在转到登录页面，登录后将回到此页并恢复');
    }
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: FieldIssue[]; requestId?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `请求失败（HTTP ${res.status}）`, e?.details ?? [], e?.requestId);
  }
  return body as T;
}
