/**
 * Errors the CLI shows a person: Chinese message first, the English code in
 * brackets, then each field named. API refusals arrive as
 * `{error:{code,message,details:[{field,message}],requestId?}}` and are shown
 * the same way, so a refusal by the CLI and one by the API read alike.
 */

export interface IssueLine {
  readonly field: string;
  readonly message: string;
  readonly code?: string;
}

/** A refusal by the CLI itself (bad arguments, unreadable package, …). */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: readonly IssueLine[] = [],
    /** Process exit code. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A refusal or failure reported by the API (or by the object store on a presigned request). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly IssueLine[] = [],
    readonly requestId?: string,
    /** "POST /submissions/…", for the user to see what was refused. */
    readonly request?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Worth retrying: the server or the network, not the request. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const statusWords: Record<number, string> = {
  400: '请求有误',
  401: '未登录或登录已过期',
  403: '无权操作',
  404: '不存在',
  409: '与当前状态冲突',
  412: '前提条件不满足',
  413: '请求过大',
  415: '请求格式不受支持（应为 JSON）',
  422: '无法处理',
  429: '请求过于频繁',
};

/**
 * Parses an error response body. Anything not in the API's error shape (an
 * S3 XML error, a proxy's HTML page) still yields a code and a message.
 */
export function apiErrorFrom(status: number, bodyText: string, request?: string): ApiError {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const err = (json as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | undefined)?.error;
  if (err && typeof err.code === 'string') {
    const details = Array.isArray(err.details)
      ? err.details
          .filter((d): d is { field?: unknown; message?: unknown; code?: unknown } => typeof d === 'object' && d !== null)
          .map((d) => ({
            field: typeof d.field === 'string' ? d.field : '',
            message: typeof d.message === 'string' ? d.message : '',
            ...(typeof d.code === 'string' ? { code: d.code } : {}),
          }))
      : [];
    return new ApiError(
      status,
      err.code,
      typeof err.message === 'string' ? err.message : (statusWords[status] ?? `HTTP ${status}`),
      details,
      typeof err.requestId === 'string' ? err.requestId : undefined,
      request,
    );
  }
  // S3 answers in XML: <Error><Code>…</Code><Message>…</Message></Error>
  const s3Code = /<Code>([^<]+)<\/Code>/.exec(bodyText)?.[1];
  const s3Message = /<Message>([^<]+)<\/Message>/.exec(bodyText)?.[1];
  if (s3Code) return new ApiError(status, s3Code, s3Message ? `对象存储拒绝：${s3Message}` : '对象存储拒绝了请求', [], undefined, request);
  const words = statusWords[status] ?? (status >= 500 ? '服务器错误，请稍后重试' : `HTTP ${status}`);
  const snippet = bodyText.trim().slice(0, 200);
  return new ApiError(status, `HTTP_${status}`, snippet ? `${words}：${snippet}` : words, [], undefined, request);
}

/** Lines to print for an error: `错误 [CODE] 消息`, then `  · 字段：说明` per detail. */
export function formatError(error: unknown): string[] {
  if (error instanceof ApiError) {
    const lines = [`错误 [${error.code}] ${error.message}`];
    for (const d of error.details) lines.push(`  · ${d.field || '(整体)'}：${d.message}${d.code ? ` (${d.code})` : ''}`);
    const where = [error.request, error.status ? `HTTP ${error.status}` : '', error.requestId ? `请求编号 ${error.requestId}` : ''].filter(Boolean).join('，');
    if (where) lines.push(`  （${where}）`);
    return lines;
  }
  if (error instanceof CliError) {
    const lines = [`错误 [${error.code}] ${error.message}`];
    for (const d of error.details) lines.push(`  · ${d.field || '(整体)'}：${d.message}`);
    return lines;
  }
  // fetch fails with a bare "TypeError: fetch failed"; the reason (ECONNREFUSED …) is its cause.
  const cause = error instanceof TypeError ? (error as { cause?: unknown }).cause : undefined;
  if (cause && typeof cause === 'object' && typeof (cause as NodeJS.ErrnoException).code === 'string') return formatError(cause);
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return [`错误 [NETWORK_ERROR] 无法连接服务器：${cause instanceof Error ? cause.message : error.message}；请确认接口地址（--api）`];
  }
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    const known: Record<string, string> = {
      ENOENT: '文件或目录不存在',
      EACCES: '没有读取权限',
      EPERM: '操作不被允许',
      ECONNREFUSED: '无法连接服务器（连接被拒绝）：请确认接口地址，或本地云已启动（npm start）',
      ENOTFOUND: '无法解析服务器地址',
      ETIMEDOUT: '连接超时',
      ECONNRESET: '连接被重置',
      ENOSPC: '磁盘空间不足',
    };
    return [`错误 [${e.code}] ${known[e.code] ?? '系统错误'}：${e.message}`];
  }
  return [`错误 [INTERNAL] 程序内部错误：${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`];
}
