import { listCatalogueReports } from '#shared/catalogue-report/report.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueReportContracts } from '#shared/schemas/catalogue-report-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueReportDeps } from './deps.ts';

/** GET /catalogue-reports?custodianOrg=|recipientOrg= — a custodian's reports, or those an upper level received, with due date, working days left and overdue flag. */
export function makeHandler(deps?: CatalogueReportDeps) {
  return withHttp(
    'ListCatalogueReports',
    catalogueReportContracts.ListCatalogueReports,
    async (req) => ({ body: { reports: await listCatalogueReports(await portsOf(deps), { actor: signedIn(req.principal), custodianOrg: req.query.custodianOrg, recipientOrg: req.query.recipientOrg }) } }),
    deps,
  );
}

export const handler = makeHandler();
