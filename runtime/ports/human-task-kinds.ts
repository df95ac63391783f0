/**
 * `kinds`: every human-task kind of every context, by name — what CreateHumanTask,
 * DecideHumanTask, GetHumanTask, HumanTaskReminders and EscalateReview resolve a
 * task's `kind` with. Each context module declares its own kinds (`humanTaskKinds`
 * in functions/<ctx>/context.ts, the domain in shared/<ctx>/); this recipe builds
 * the facility's ports once and every declared kind from them. A kind id declared
 * twice is refused by the root manifest's checks (infra/manifest.ts `checked`).
 *
 * The factories are imported from their domain modules, not read from the context
 * modules through the manifest: that put every context's contracts and routes
 * (~45 KB) in each of these six bundles (issue 10). test/unit/human-task-kinds.test.ts
 * fails unless `kindFactories` is exactly what the contexts declare, in context order.
 */
import { documentStoreFromEnv } from '#adapters/s3-documents.ts';
import { catalogueReportGetterFromEnv } from '#adapters/dynamo-catalogue-report.ts';
import { catalogueEntryReaderFromEnv } from '#adapters/dynamo-catalogue.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { destructionStoreFromEnv } from '#adapters/dynamo-destruction.ts';
import { sharingApplicationsFromEnv } from '#adapters/dynamo-sharing-read.ts';
import { publicationRequestReaderFromEnv } from '#adapters/dynamo-publication.ts';
import { humanTaskStoreFromEnv } from '#adapters/dynamo-tasks.ts';
import { identityRepositoryFromEnv } from '#adapters/dynamo-identity.ts';
import { submissionOutcomesFromEnv } from '#adapters/dynamo-submission.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import { catalogueReportAckKind } from '#shared/catalogue-report/task-kind.ts';
import { destructionApprovalKind } from '#shared/destruction/approval-task.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { derivedProductReviewKind } from '#shared/sharing/derived.ts';
import { derivedProductsFromEnv } from '#adapters/dynamo-derived.ts';
import { DynamoProblemReader } from '#adapters/dynamo-feedback-read.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { problemVerificationKind } from '#shared/feedback/verification-kind.ts';
import { publicationApprovalKind, publicationReviewKind, publicationWithdrawalKind } from '#shared/publication/tasks.ts';
import { registeredKinds, type HumanTaskKind, type HumanTaskKindFactory, type HumanTaskKindPorts, type HumanTaskKinds } from '#shared/tasks/kinds.ts';
import { custodyReceiptKind, forestryCopyAckKind } from '#shared/transfer/task-kinds.ts';
import { evaluationAckKind } from '#shared/supervision/evaluation-ack-kind.ts';
import { DynamoEvaluationReader } from '#adapters/dynamo-evaluations.ts';
import { technicalCountersignKind } from '#shared/verification/countersign.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';
import type { AnyContext } from '../define.ts';
import { port } from '../port.ts';

/** Every kind the contexts declare, built from the facility's ports, in context order. */
export function declaredKinds(ctxs: readonly AnyContext[], ports: HumanTaskKindPorts): HumanTaskKind[] {
  return ctxs.flatMap((ctx) => Object.values(ctx.humanTaskKinds).map((factory) => factory(ports)));
}

/** The factories of every context's `humanTaskKinds`, in context order (checked against the manifest by a test). */
export const kindFactories: readonly HumanTaskKindFactory[] = [
  technicalReviewKind,
  technicalCountersignKind,
  destructionApprovalKind,
  catalogueReportAckKind,
  custodyReceiptKind,
  forestryCopyAckKind,
  evaluationAckKind,
  publicationReviewKind,
  publicationApprovalKind,
  publicationWithdrawalKind,
  sharingReviewKind,
  derivedProductReviewKind,
  problemVerificationKind,
];

export const kinds = /* @__PURE__ */ port({
  name: 'kinds',
  env: ['registry', 'documents'],
  build: (env): HumanTaskKinds => {
    const holidays = holidayTableStoreFromEnv(env);
    const ports: HumanTaskKindPorts = {
      store: submissionOutcomesFromEnv(env),
      identity: identityRepositoryFromEnv(env),
      documents: documentStoreFromEnv(env),
      catalogue: catalogueEntryReaderFromEnv(env),
      destructions: destructionStoreFromEnv(env),
      reports: catalogueReportGetterFromEnv(env),
      sharing: sharingApplicationsFromEnv(env),
      humanTasks: humanTaskStoreFromEnv(env),
      publications: publicationRequestReaderFromEnv(env),
      derived: derivedProductsFromEnv(env),
      problems: new DynamoProblemReader(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
      evaluations: new DynamoEvaluationReader(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
      calendar: () => calendarFromStore(holidays),
      now: () => new Date(),
    };
    return registeredKinds(kindFactories.map((factory) => factory(ports)));
  },
});
