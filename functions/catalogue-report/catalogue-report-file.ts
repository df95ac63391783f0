import { catalogueReportFile } from '#shared/catalogue-report/report.ts';
import { withHttp } from '#runtime/with-http.ts';
import { catalogueReportContracts } from '#shared/schemas/catalogue-report-contracts.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type CatalogueReportDeps } from './deps.ts';

/** GET /catalogue-reports/{reportId}/files/{format} — the report as a file, rendered for the reader's clearance. */
export function makeHandler(deps?: CatalogueReportDeps) {
  return withHttp(
    'CatalogueReportFile',
    catalogueReportContracts.CatalogueReportFile,
    async (req) => {
      const file = await catalogueReportFile(await portsOf(deps), { actor: signedIn(req.principal), reportId: req.path.reportId, format: req.path.format });
      return {
        body: file.body,
        headers: {
          'content-type': `${file.contentType}; charset=utf-8`,
          // RFC 6266/5987: the Chinese file name, UTF-8 encoded, with an ASCII fallback.
          'content-disposition': `attachment; filename="catalogue-report.${req.path.format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
          'cache-control': 'no-store',
        },
      };
    },
    deps,
  );
}

export const handler = makeHandler();
