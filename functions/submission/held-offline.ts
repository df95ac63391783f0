import type { HttpResult } from '#runtime/http.ts';
import type { OpenResult } from '#shared/submission/submissions.ts';

/**
 * R5.1: the upload is refused (409, the usual error body, so no client
 * mistakes it for an accepted upload) while the record it leaves — the
 * submission held offline by the custodian — comes with it.
 */
export function heldOfflineResponse(result: Extract<OpenResult, { outcome: 'heldOffline' }>, requestId: string): HttpResult<409> {
  return {
    status: 409,
    body: { error: { code: result.code, message: result.message, requestId }, submission: result.submission },
  };
}
