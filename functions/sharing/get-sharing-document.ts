import { getOfflineDocument } from '#shared/sharing/offline.ts';
import { http } from '#runtime/http.ts';
import { sharingDocuments, sharingRead } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** GET /sharing/applications/{applicationId}/documents/{docId} — the stored letter, task order or confidentiality agreement (A4 HTML). */
export const handler = http(sharing, 'GetSharingDocument', [sharingRead, sharingDocuments], async (req, p) => {
  const { html, document } = await getOfflineDocument(p, { actor: req.principal, applicationId: req.path.applicationId, docId: req.path.docId });
  return { body: html, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-document-sha256': document.sha256 } };
});
