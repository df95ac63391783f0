import { getCatalogueReport } from '#shared/catalogue-report/report.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueReportContracts } from '#shared/schemas/catalogue-report-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueReportDeps } from './deps.ts';

/** GET /catalogue-reports/{reportId} — the report as sent, classified entries redacted by the reader's clearance. */
export function makeHandler(deps?: CatalogueReportDeps) {
  return withHttp(
    'GetCatalogueReport',
    catalogueReportContracts.GetCatalogueReport,
    async (req) => ({ body: await getCatalogueReport(await portsOf(deps), { actor: signedIn(req.principal), reportId: req.path.reportId }) }),
    deps,
  );
}

export const handler = makeHandler();
