import type { z } from 'zod/mini';
import { submissionContracts as c } from '#functions/submission/contracts.ts';
import { reportPageUrl } from '#shared/verification/report-page.ts';
import { ApiError, apiErrorFrom } from './errors.ts';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.ts';

/**
 * The submission API as the CLI calls it. Request and response types come
 * from the API's own zod contracts (functions/submission/contracts.ts)
 * and every response is parsed with them, so the CLI and the API cannot
 * silently disagree: a drift shows as a named error, not a wrong upload.
 */

type In<S extends z.ZodMiniType> = z.input<S>;
type Out<S extends z.ZodMiniType> = z.output<S>;

export type OpenSubmissionBody = In<typeof c.OpenSubmission.body>;
export type CreateVersionBody = In<typeof c.CreateSubmissionVersion.body>;
export type SubmissionResponse = Out<typeof c.GetSubmission.response>;
export type SubmissionView = Out<typeof c.OpenSubmission.response>['submission'];
export type TimelineResponse = Out<typeof c.GetSubmissionTimeline.response>;
export type UploadUrlsBody = In<typeof c.IssueUploadUrls.body>;
export type UploadUrlsResponse = Out<typeof c.IssueUploadUrls.response>;
export type UploadInstruction = UploadUrlsResponse['files'][number];
export type UploadStatusResponse = Out<typeof c.GetUploadStatus.response>;
export type CompleteFileBody = In<typeof c.CompleteFileUpload.body>;
export type CompleteFileResponse = Out<typeof c.CompleteFileUpload.response>;
export type CompleteVersionResponse = Out<typeof c.CompleteVersion.response>;
export type AbortResponse = Out<typeof c.AbortUploads.response>;

/** The calls the upload and status commands make (tests pass a fake). */
export interface SubmissionApi {
  readonly apiUrl: string;
  openSubmission(taskId: string, body: OpenSubmissionBody): Promise<SubmissionView>;
  createVersion(submissionId: string, body: CreateVersionBody): Promise<SubmissionView>;
  getSubmission(submissionId: string): Promise<SubmissionResponse>;
  /** The submission's history: the transfer to custody (unified number, copy, receipt) is read from it. */
  getTimeline(submissionId: string): Promise<TimelineResponse>;
  uploadStatus(submissionId: string, n: number, cursor?: string): Promise<UploadStatusResponse>;
  uploadUrls(submissionId: string, n: number, body: UploadUrlsBody): Promise<UploadUrlsResponse>;
  completeFile(submissionId: string, n: number, body: CompleteFileBody): Promise<CompleteFileResponse>;
  completeVersion(submissionId: string, n: number): Promise<CompleteVersionResponse>;
  /** Every open multipart upload of the version, or only the one of `path`. */
  abortUploads(submissionId: string, n: number, path?: string): Promise<AbortResponse>;
  /** 'page': the link a person opens in a browser (signs in there); 'html'/'json': the token-only API routes. */
  reportUrl(submissionId: string, n: number, format: 'html' | 'json' | 'page'): string;
}

const enc = encodeURIComponent;

export class HttpSubmissionApi implements SubmissionApi {
  constructor(
    readonly apiUrl: string,
    private readonly token: string,
    private readonly retry: RetryPolicy = defaultRetryPolicy,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /**
   * One call. `idempotent` calls are retried on transient failures; the two
   * that create something (a submission, a version) are not — a retry after
   * a lost response could open a second one.
   */
  async call<S extends z.ZodMiniType>(
    method: string,
    path: string,
    schema: S,
    opts: { body?: unknown; idempotent: boolean },
  ): Promise<z.output<S>> {
    const label = `${method} ${path.split('?')[0]}`;
    const once = async () => {
      const res = await this.fetchImpl(`${this.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw apiErrorFrom(res.status, text, label);
      let json: unknown;
      try {
        json = text === '' ? {} : JSON.parse(text);
      } catch {
        throw new ApiError(res.status, 'RESPONSE_NOT_JSON', `接口返回的不是 JSON：${text.slice(0, 200)}`, [], undefined, label);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new ApiError(
          res.status,
          'RESPONSE_CONTRACT_MISMATCH',
          '接口响应与约定（functions/submission/contracts.ts）不符：请确认命令行工具与服务端版本一致',
          parsed.error.issues.slice(0, 10).map((i) => ({ field: i.path.map(String).join('.') || '(根)', message: i.message })),
          undefined,
          label,
        );
      }
      return parsed.data;
    };
    return opts.idempotent ? withRetry(once, this.retry) : once();
  }

  async openSubmission(taskId: string, body: OpenSubmissionBody): Promise<SubmissionView> {
    return (await this.call('POST', `/survey-tasks/${enc(taskId)}/submissions`, c.OpenSubmission.response, { body, idempotent: false })).submission;
  }

  async createVersion(submissionId: string, body: CreateVersionBody): Promise<SubmissionView> {
    return (await this.call('POST', `/submissions/${enc(submissionId)}/versions`, c.CreateSubmissionVersion.response, { body, idempotent: false })).submission;
  }

  getSubmission(submissionId: string): Promise<SubmissionResponse> {
    return this.call('GET', `/submissions/${enc(submissionId)}`, c.GetSubmission.response, { idempotent: true });
  }

  getTimeline(submissionId: string): Promise<TimelineResponse> {
    return this.call('GET', `/submissions/${enc(submissionId)}/timeline`, c.GetSubmissionTimeline.response, { idempotent: true });
  }

  uploadStatus(submissionId: string, n: number, cursor?: string): Promise<UploadStatusResponse> {
    const q = cursor ? `?cursor=${enc(cursor)}` : '';
    return this.call('GET', `/submissions/${enc(submissionId)}/versions/${n}/uploads${q}`, c.GetUploadStatus.response, { idempotent: true });
  }

  uploadUrls(submissionId: string, n: number, body: UploadUrlsBody): Promise<UploadUrlsResponse> {
    return this.call('POST', `/submissions/${enc(submissionId)}/versions/${n}/upload-urls`, c.IssueUploadUrls.response, { body, idempotent: true });
  }

  completeFile(submissionId: string, n: number, body: CompleteFileBody): Promise<CompleteFileResponse> {
    return this.call('POST', `/submissions/${enc(submissionId)}/versions/${n}/files/complete`, c.CompleteFileUpload.response, { body, idempotent: true });
  }

  completeVersion(submissionId: string, n: number): Promise<CompleteVersionResponse> {
    return this.call('POST', `/submissions/${enc(submissionId)}/versions/${n}/complete`, c.CompleteVersion.response, { idempotent: true });
  }

  abortUploads(submissionId: string, n: number, path?: string): Promise<AbortResponse> {
    const q = path === undefined ? '' : `?path=${enc(path)}`;
    return this.call('DELETE', `/submissions/${enc(submissionId)}/versions/${n}/uploads${q}`, c.AbortUploads.response, { idempotent: true });
  }

  reportUrl(submissionId: string, n: number, format: 'html' | 'json' | 'page'): string {
    if (format === 'page') return reportPageUrl(this.apiUrl, submissionId, n);
    return `${this.apiUrl}/submissions/${enc(submissionId)}/versions/${n}/report${format === 'html' ? '.html' : ''}`;
  }
}
