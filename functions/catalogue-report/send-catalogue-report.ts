import { http } from '#runtime/http.ts';
import { newHex4, now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { calendar, catalogue, reports, submissions } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { reportView, sendCatalogueReport } from '#shared/catalogue-report/report.ts';
import { catalogueReport } from './context.ts';

/** POST /catalogue-reports — 202: the report is stored and awaits the upper level's acknowledgement. */
export const handler = http(
  catalogueReport,
  'SendCatalogueReport',
  [catalogue, submissions, reports, documents, workflow, calendar, now, newHex4],
  async (req, p) => {
    const { visible, ...report } = await sendCatalogueReport(p, { actor: req.principal, requestId: req.requestId });
    return { status: 202, body: { report: reportView(report, await p.calendar(), p.now(), visible) } };
  },
);
