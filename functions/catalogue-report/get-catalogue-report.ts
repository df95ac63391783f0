import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { calendar, catalogue, reportsRead } from '#runtime/ports/registry.ts';
import { getCatalogueReport } from '#shared/catalogue-report/report.ts';
import { catalogueReport } from './context.ts';

/** GET /catalogue-reports/{reportId} — the report as sent, classified entries redacted by the reader's clearance. */
export const handler = http(catalogueReport, 'GetCatalogueReport', [reportsRead, documents, catalogue, calendar, now], async (req, p) => ({
  body: await getCatalogueReport(p, { actor: req.principal, reportId: req.path.reportId }),
}));
