import type { HttpDeps } from '#runtime/with-http.ts';
import type { CataloguePorts } from '#shared/catalogue/catalogue.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';

/** The HTTP stack's deps plus the catalogue ports; unit tests pass fakes for both. */
export interface CatalogueDeps extends HttpDeps {
  readonly ports: () => CataloguePorts;
}

let defaults: CataloguePorts | undefined;

/** The DynamoDB adapters, built on first use and kept for the warm container. */
async function defaultPorts(): Promise<CataloguePorts> {
  if (defaults) return defaults;
  const [catalogue, submission] = await Promise.all([import('#adapters/dynamo-catalogue.ts'), import('#adapters/dynamo-submission.ts')]);
  let store: CatalogueStore | undefined;
  let submissions: SubmissionStore | undefined;
  defaults = {
    get catalogue() {
      return (store ??= catalogue.catalogueStoreFromEnv());
    },
    get submissions() {
      return (submissions ??= submission.submissionStoreFromEnv());
    },
    now: () => new Date(),
  };
  return defaults;
}

export async function portsOf(deps: CatalogueDeps | undefined): Promise<CataloguePorts> {
  return deps ? deps.ports() : defaultPorts();
}
