import type { HttpDeps } from '#runtime/with-http.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { DocumentStore, PackageReader } from '#shared/ports/verification.ts';
import type { OutcomeMailPorts } from '#shared/verification/outcome.ts';

/** What the verification workflow's steps and the report routes use. */
export interface VerificationPorts extends OutcomeMailPorts {
  readonly packages: PackageReader;
}

/** The HTTP stack's deps plus the verification ports; unit tests pass fakes for both. */
export interface VerificationDeps extends HttpDeps {
  readonly ports: () => VerificationPorts;
}

let defaults: VerificationPorts | undefined;

/**
 * Adapters built on first use: a step touches only what its manifest grants
 * (Check Batch has no mailer, the report routes no uploads bucket), so each
 * environment variable is required only where it is set.
 */
export async function verificationPortsFromEnv(): Promise<VerificationPorts> {
  if (defaults) return defaults;
  const [submission, identity, calendarStore, calendarLoad, mailer, packages, documents] = await Promise.all([
    import('#adapters/dynamo-submission.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/mailer.ts'),
    import('#adapters/s3-byte-source.ts'),
    import('#adapters/s3-documents.ts'),
  ]);
  let store: SubmissionStore | undefined;
  let identityRepo: IdentityRepository | undefined;
  let mail: Mailer | undefined;
  let reader: PackageReader | undefined;
  let docs: DocumentStore | undefined;
  defaults = {
    get store() {
      return (store ??= submission.submissionStoreFromEnv());
    },
    get identity() {
      return (identityRepo ??= identity.identityRepositoryFromEnv());
    },
    calendar: () => calendarLoad.calendarFromStore(calendarStore.holidayTableStoreFromEnv()),
    now: () => new Date(),
    get mailer() {
      return (mail ??= mailer.mailerFromEnv());
    },
    get packages() {
      return (reader ??= packages.packageReaderFromEnv());
    },
    get documents() {
      return (docs ??= documents.documentStoreFromEnv());
    },
    get appBaseUrl() {
      return requireEnv(envNames.appBaseUrl);
    },
  };
  return defaults;
}

export async function portsOf(deps: VerificationDeps | undefined): Promise<VerificationPorts> {
  return deps ? deps.ports() : verificationPortsFromEnv();
}
