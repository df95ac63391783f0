/**
 * `kinds`: every human-task kind of every context, by name — what CreateHumanTask,
 * DecideHumanTask, GetHumanTask, HumanTaskReminders and EscalateReview resolve a
 * task's `kind` with. One recipe building the same kinds functions/tasks/deps.ts
 * built (issue 9, step 3): the technical review (verification, R7.1), the
 * destruction approval (R10), the custody receipt and forestry copy
 * acknowledgement (transfer, R8.1/R8.2) and the catalogue report
 * acknowledgement (R9.1). Declaring them as `humanTaskKinds` in the context
 * modules (plan 1.2) is a later step: it touches four other contexts' modules.
 */
import { documentStoreFromEnv } from '#adapters/s3-documents.ts';
import { catalogueReportStoreFromEnv } from '#adapters/dynamo-catalogue-report.ts';
import { catalogueStoreFromEnv } from '#adapters/dynamo-catalogue.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { destructionStoreFromEnv } from '#adapters/dynamo-destruction.ts';
import { identityRepositoryFromEnv } from '#adapters/dynamo-identity.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import { catalogueReportAckKind } from '#shared/catalogue-report/task-kind.ts';
import { destructionApprovalKind } from '#shared/destruction/approval-task.ts';
import type { HumanTaskKind, HumanTaskKinds } from '#shared/tasks/kinds.ts';
import { transferTaskKinds } from '#shared/transfer/task-kinds.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';
import { port } from '../port.ts';

// --- tasks, verification ---
/** Every registered kind, looked up by name (undefined: unknown kind, refused by the domain). */
export function registeredKinds(list: readonly HumanTaskKind[]): HumanTaskKinds {
  const byName = new Map(list.map((k) => [k.kind, k]));
  return (kind) => byName.get(kind);
}

export const kinds = /* @__PURE__ */ port({
  name: 'kinds',
  env: ['registry', 'documents'],
  build: (env): HumanTaskKinds => {
    const identity = identityRepositoryFromEnv(env);
    const store = submissionStoreFromEnv(env);
    const catalogue = catalogueStoreFromEnv(env);
    const holidays = holidayTableStoreFromEnv(env);
    const now = () => new Date();
    return registeredKinds([
      technicalReviewKind({ store, identity, documents: documentStoreFromEnv(env), calendar: () => calendarFromStore(holidays), now }),
      destructionApprovalKind({ catalogue, destructions: destructionStoreFromEnv(env), identity }),
      ...transferTaskKinds({ store, catalogue, identity, now }),
      catalogueReportAckKind({ reports: catalogueReportStoreFromEnv(env), identity }),
    ]);
  },
});
