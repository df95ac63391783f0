import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { calendar, catalogue, reportsRead } from '#runtime/ports/registry.ts';
import { catalogueReportFile } from '#shared/catalogue-report/report.ts';
import { catalogueReport } from './context.ts';

/** GET /catalogue-reports/{reportId}/files/{format} — the report as a file, rendered for the reader's clearance. */
export const handler = http(catalogueReport, 'CatalogueReportFile', [reportsRead, documents, catalogue, calendar, now], async (req, p) => {
  const file = await catalogueReportFile(p, { actor: req.principal, reportId: req.path.reportId, format: req.path.format });
  return {
    body: file.body,
    headers: {
      'content-type': `${file.contentType}; charset=utf-8`,
      // RFC 6266/5987: the Chinese file name, UTF-8 encoded, with an ASCII fallback.
      'content-disposition': `attachment; filename="catalogue-report.${req.path.format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'cache-control': 'no-store',
    },
  };
});
