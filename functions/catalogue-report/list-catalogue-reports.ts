import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, reportsRead } from '#runtime/ports/registry.ts';
import { listCatalogueReports } from '#shared/catalogue-report/report.ts';
import { catalogueReport } from './context.ts';

/** GET /catalogue-reports?custodianOrg=|recipientOrg= — a custodian's reports, or those an upper level received, with due date, working days left and overdue flag. */
export const handler = http(catalogueReport, 'ListCatalogueReports', [reportsRead, calendar, now], async (req, p) => ({
  body: { reports: await listCatalogueReports(p, { actor: req.principal, custodianOrg: req.query.custodianOrg, recipientOrg: req.query.recipientOrg }) },
}));
