import { ApiError } from './errors.ts';

/**
 * Retries with exponential backoff and full jitter (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"): transient failures only — the network,
 * 5xx, 408, 429 — never a refusal, which would only be refused again.
 */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: Number(process.env['CHENGGUO_RETRIES'] ?? 6),
  baseMs: 500,
  capMs: 15_000,
};

const networkCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.transient;
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  if (code && networkCodes.has(code)) return true;
  // fetch wraps network failures in a TypeError("fetch failed") with the cause inside.
  return error instanceof TypeError && /fetch failed|terminated/i.test(error.message);
}

export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}

export async function withRetry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy = defaultRetryPolicy, retryable = isTransient): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt + 1 >= policy.attempts || !retryable(error)) throw error;
      const delay = backoffDelay(attempt, policy, policy.random);
      policy.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
