import { randomBytes } from 'node:crypto';
import type { CatalogueReportStore, ReportPorts } from '#shared/catalogue-report/report.ts';
import type { HttpDeps } from '#runtime/with-http.ts';

/** The HTTP stack's deps plus the catalogue report ports; unit tests pass fakes for both. */
export interface CatalogueReportDeps extends HttpDeps {
  readonly ports: () => ReportPorts;
}

let defaults: ReportPorts | undefined;

export async function catalogueReportPortsFromEnv(): Promise<ReportPorts> {
  if (defaults) return defaults;
  const [catalogue, reports, identity, documents, sfn, calendarStore, calendarLoad, submissions] = await Promise.all([
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-catalogue-report.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/s3-documents.ts'),
    import('#adapters/sfn.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/dynamo-submission.ts'),
  ]);
  let workflow: ReturnType<typeof sfn.workflowFromEnv> | undefined;
  const store: CatalogueReportStore = reports.catalogueReportStoreFromEnv();
  defaults = {
    catalogue: catalogue.catalogueStoreFromEnv(),
    submissions: submissions.submissionStoreFromEnv(),
    reports: store,
    identity: identity.identityRepositoryFromEnv(),
    documents: documents.documentStoreFromEnv(),
    get workflow() {
      return (workflow ??= sfn.workflowFromEnv());
    },
    calendar: () => calendarLoad.calendarFromStore(calendarStore.holidayTableStoreFromEnv()),
    now: () => new Date(),
    newId: () => randomBytes(4).toString('hex'),
  };
  return defaults;
}

export async function portsOf(deps: { ports: () => ReportPorts } | undefined): Promise<ReportPorts> {
  return deps ? deps.ports() : catalogueReportPortsFromEnv();
}
