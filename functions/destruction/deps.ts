import { randomBytes } from 'node:crypto';
import type { HttpDeps } from '#runtime/with-http.ts';
import type { DestructionStore, RequestPorts } from '#shared/destruction/destruction.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';

/** The ports of the destruction functions, minus the destroyer: only destroy-objects.ts builds that. */
export interface DestructionPorts extends RequestPorts {
  readonly catalogue: CatalogueStore;
  readonly destructions: DestructionStore;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly workflow: Workflow;
}

/** The HTTP stack's deps plus the destruction ports; unit tests pass fakes for both. */
export interface DestructionDeps extends HttpDeps {
  readonly ports: () => DestructionPorts;
}

let defaults: DestructionPorts | undefined;

export async function destructionPortsFromEnv(): Promise<DestructionPorts> {
  if (defaults) return defaults;
  const [catalogue, destruction, identity, mailer, sfn] = await Promise.all([
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-destruction.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/mailer.ts'),
    import('#adapters/sfn.ts'),
  ]);
  let store: CatalogueStore | undefined;
  let mail: Mailer | undefined;
  let workflow: Workflow | undefined;
  let idRepo: IdentityRepository | undefined;
  const destructions = destruction.destructionStoreFromEnv();
  defaults = {
    get catalogue() {
      return (store ??= catalogue.catalogueStoreFromEnv());
    },
    destructions,
    get identity() {
      return (idRepo ??= identity.identityRepositoryFromEnv());
    },
    get mailer() {
      return (mail ??= mailer.mailerFromEnv());
    },
    get workflow() {
      return (workflow ??= sfn.workflowFromEnv());
    },
    now: () => new Date(),
    newId: () => randomBytes(6).toString('hex'),
  };
  return defaults;
}

export async function portsOf(deps: { ports: () => DestructionPorts } | undefined): Promise<DestructionPorts> {
  return deps ? deps.ports() : destructionPortsFromEnv();
}
