import { envNames, requireEnv } from '#adapters/config.ts';
import type { HttpDeps } from '#runtime/with-http.ts';
import type { HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { newTaskId } from '#shared/tasks/ids.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';

/** The HTTP stack's deps plus the human-task ports; unit tests pass fakes for both. */
export interface HumanTaskDeps extends HttpDeps {
  readonly ports: () => HumanTaskPorts;
}

let defaults: HumanTaskPorts | undefined;

/**
 * The AWS adapters and the registered kinds, built once per warm container.
 * Every approval of a later issue adds its kind here.
 */
export async function humanTaskPortsFromEnv(): Promise<HumanTaskPorts> {
  if (defaults) return defaults;
  const [tasks, vault, identity, mailer, sfn, calendarStore, calendarLoad, submission, documents, review, catalogue, destruction, destructionKind, transferKinds, reportStore, reportKind] = await Promise.all([
    import('#adapters/dynamo-tasks.ts'),
    import('#adapters/token-vault.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/mailer.ts'),
    import('#adapters/sfn.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/dynamo-submission.ts'),
    import('#adapters/s3-documents.ts'),
    import('#shared/verification/review-task.ts'),
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-destruction.ts'),
    import('#shared/destruction/approval-task.ts'),
    import('#shared/transfer/task-kinds.ts'),
    import('#adapters/dynamo-catalogue-report.ts'),
    import('#shared/catalogue-report/task-kind.ts'),
  ]);
  const identityRepo = identity.identityRepositoryFromEnv();
  const holidays = calendarStore.holidayTableStoreFromEnv();
  const calendar = () => calendarLoad.calendarFromStore(holidays);
  const now = () => new Date();
  let kinds: Map<string, HumanTaskKind> | undefined;
  const registered = () =>
    (kinds ??= new Map(
      [
        review.technicalReviewKind({
          store: submission.submissionStoreFromEnv(),
          identity: identityRepo,
          documents: documents.documentStoreFromEnv(),
          calendar,
          now,
        }),
        destructionKind.destructionApprovalKind({
          catalogue: catalogue.catalogueStoreFromEnv(),
          destructions: destruction.destructionStoreFromEnv(),
          identity: identityRepo,
        }),
        // R8.1 custody receipt and R8.2 forestry copy acknowledgement (shared/transfer)
        ...transferKinds.transferTaskKinds({ store: submission.submissionStoreFromEnv(), catalogue: catalogue.catalogueStoreFromEnv(), identity: identityRepo, now }),
        // R9.1 catalogue report acknowledgement by the next-higher organiser (shared/catalogue-report/task-kind.ts)
        reportKind.catalogueReportAckKind({ reports: reportStore.catalogueReportStoreFromEnv(), identity: identityRepo }),
      ].map((k) => [k.kind, k]),
    ));
  let mail: ReturnType<typeof mailer.mailerFromEnv> | undefined;
  let vaultImpl: ReturnType<typeof vault.tokenVaultFromEnv> | undefined;
  let workflow: ReturnType<typeof sfn.workflowFromEnv> | undefined;
  defaults = {
    tasks: tasks.humanTaskStoreFromEnv(),
    get vault() {
      return (vaultImpl ??= vault.tokenVaultFromEnv());
    },
    identity: identityRepo,
    get mailer() {
      return (mail ??= mailer.mailerFromEnv());
    },
    get workflow() {
      return (workflow ??= sfn.workflowFromEnv());
    },
    calendar,
    now,
    newId: newTaskId,
    get appBaseUrl() {
      return requireEnv(envNames.appBaseUrl);
    },
    kinds: (kind) => registered().get(kind),
  };
  return defaults;
}

export async function portsOf(deps: HumanTaskDeps | undefined): Promise<HumanTaskPorts> {
  return deps ? deps.ports() : humanTaskPortsFromEnv();
}
