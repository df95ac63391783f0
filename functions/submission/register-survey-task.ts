import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import { registerSurveyTaskWithOverlaps } from '#shared/submission/tasks.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

let catalogue: CatalogueStore | undefined;
async function catalogueOf(deps: (SubmissionDeps & { catalogue?: () => CatalogueStore }) | undefined): Promise<CatalogueStore | undefined> {
  if (deps) return deps.catalogue?.();
  return (catalogue ??= (await import('#adapters/dynamo-catalogue.ts')).catalogueStoreFromEnv());
}

/** POST /survey-tasks — 201 with the task (R6.1 deadline null until completion is recorded) and the R13.2 overlaps. */
export function makeHandler(deps?: SubmissionDeps & { catalogue?: () => CatalogueStore }) {
  return withHttp(
    'RegisterSurveyTask',
    submissionContracts.RegisterSurveyTask,
    async (req) => {
      const cat = await catalogueOf(deps);
      const registered = await registerSurveyTaskWithOverlaps(
        { actor: signedIn(req.principal), input: req.body, requestId: req.requestId },
        // Only the ports registration uses: spreading all would build adapters (uploads, workflow) this function has no grants for.
        (({ store, identity, calendar, now, newId }) => ({ store, identity, calendar, now, newId, ...(cat ? { catalogue: cat } : {}) }))(await portsOf(deps)),
      );
      return { status: 201, body: registered };
    },
    deps,
  );
}

export const handler = makeHandler();
