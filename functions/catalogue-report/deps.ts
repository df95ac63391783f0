import { randomBytes } from 'node:crypto';
import type { CatalogueReportStore, ReportPorts } from '#shared/catalogue/report.ts';
import type { HttpDeps } from '#shared/http/with-http.ts';

/** The HTTP stack's deps plus the catalogue report ports; unit tests pass fakes for both. */
export interface CatalogueReportDeps extends HttpDeps {
  readonly ports: () => ReportPorts;
}

let defaults: ReportPorts | undefined;

export async function catalogueReportPortsFromEnv(): Promise<ReportPorts> {
  if (defaults) return defaults;
  const [catalogue, reports, identity, documents, sfn, calendarStore, calendarLoad, submissions] = await Promise.all([
    import('#shared/adapters/dynamo-catalogue.ts'),
    import('#shared/adapters/dynamo-catalogue-report.ts'),
    import('#shared/adapters/dynamo-identity.ts'),
    import('#shared/adapters/s3-documents.ts'),
    import('#shared/adapters/sfn.ts'),
    import('#shared/adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#shared/adapters/dynamo-submission.ts'),
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
