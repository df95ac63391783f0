import { envNames, requireEnv } from '#adapters/config.ts';
import type { CopyPorts } from '#shared/custody/copy.ts';
import type { HttpDeps } from '#runtime/with-http.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { PackageObjectStore, SubmissionStore } from '#shared/ports/submission.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { TransferPorts } from '#shared/transfer/transfer.ts';

/** The Transfer steps' ports plus the workflow (the start route). */
export interface TransferStepPorts extends TransferPorts {
  readonly workflow: Workflow;
  /** copyFromUploads' ports (functions/custody/deps.ts), built only by the copy step. */
  readonly copy: () => Promise<CopyPorts>;
}

/** The HTTP stack's deps plus the transfer ports; unit tests pass fakes for both. */
export interface TransferDeps extends HttpDeps {
  readonly ports: () => TransferStepPorts;
}

let defaults: TransferStepPorts | undefined;

/**
 * Adapters built on first use: each step touches only what its manifest
 * entry grants (Assign Number lists the uploads bucket, Record Receipt
 * mails), so an environment variable is required only where it is used.
 */
export async function transferPortsFromEnv(): Promise<TransferStepPorts> {
  if (defaults) return defaults;
  const [submission, catalogue, identity, calendarStore, calendarLoad, mailer, uploads, sfn, custody] = await Promise.all([
    import('#adapters/dynamo-submission.ts'),
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/mailer.ts'),
    import('#adapters/s3-uploads.ts'),
    import('#adapters/sfn.ts'),
    import('#functions/custody/deps.ts'),
  ]);
  let store: SubmissionStore | undefined;
  let cat: CatalogueStore | undefined;
  let identityRepo: IdentityRepository | undefined;
  let mail: Mailer | undefined;
  let objects: PackageObjectStore | undefined;
  let workflow: Workflow | undefined;
  let copy: Promise<CopyPorts> | undefined;
  defaults = {
    get store() {
      return (store ??= submission.submissionStoreFromEnv());
    },
    get catalogue() {
      return (cat ??= catalogue.catalogueStoreFromEnv());
    },
    get identity() {
      return (identityRepo ??= identity.identityRepositoryFromEnv());
    },
    get mailer() {
      return (mail ??= mailer.mailerFromEnv());
    },
    get objects() {
      return (objects ??= uploads.packageObjectStoreFromEnv());
    },
    get workflow() {
      return (workflow ??= sfn.workflowFromEnv());
    },
    copy: () => (copy ??= custody.custodyCopyPortsFromEnv()),
    calendar: () => calendarLoad.calendarFromStore(calendarStore.holidayTableStoreFromEnv()),
    now: () => new Date(),
    get appBaseUrl() {
      return requireEnv(envNames.appBaseUrl);
    },
  };
  return defaults;
}

export async function portsOf(deps: TransferDeps | undefined): Promise<TransferStepPorts> {
  return deps ? deps.ports() : transferPortsFromEnv();
}
