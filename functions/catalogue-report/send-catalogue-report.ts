import { reportView, sendCatalogueReport } from '#shared/catalogue-report/report.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueReportContracts } from '#shared/schemas/catalogue-report-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueReportDeps } from './deps.ts';

/** POST /catalogue-reports — 202: the report is stored and awaits the upper level's acknowledgement. */
export function makeHandler(deps?: CatalogueReportDeps) {
  return withHttp(
    'SendCatalogueReport',
    catalogueReportContracts.SendCatalogueReport,
    async (req) => {
      const ports = await portsOf(deps);
      const { visible, ...report } = await sendCatalogueReport(ports, { actor: signedIn(req.principal), requestId: req.requestId });
      return { status: 202, body: { report: reportView(report, await ports.calendar(), ports.now(), visible) } };
    },
    deps,
  );
}

export const handler = makeHandler();
