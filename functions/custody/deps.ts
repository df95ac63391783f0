import type { CustodyRecords, CustodyStore } from '#shared/ports/custody.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { CopyPorts } from '#shared/custody/copy.ts';
import type { DocumentKeyLister, IntegrityRunLog } from '#shared/custody/integrity.ts';

/** What the IntegrityAudit steps use; unit tests pass fakes. */
export interface IntegrityAuditPorts {
  readonly custody: CustodyStore;
  /** The registry's custody records (List Results: the expected set; Check Batch: the verified file lists). */
  readonly records: CustodyRecords;
  /** Write Report lists the run's per-batch results by prefix. */
  readonly documents: DocumentStore & DocumentKeyLister;
  readonly trustStoredChecksums: boolean;
  readonly runs: IntegrityRunLog;
  readonly identity: Pick<IdentityRepository, 'listUsers'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

let defaults: IntegrityAuditPorts | undefined;

/**
 * Adapters built on first use: each step touches only what its manifest
 * entry grants (List Results reads the registry but not custody, Alert has
 * no custody bucket), so each environment variable is required only where used.
 */
export async function integrityAuditPortsFromEnv(): Promise<IntegrityAuditPorts> {
  if (defaults) return defaults;
  const [s3Custody, documents, byteSource, identity, mailer, custodyRecords] = await Promise.all([
    import('#adapters/s3-custody.ts'),
    import('#adapters/s3-documents.ts'),
    import('#adapters/s3-byte-source.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/mailer.ts'),
    import('#adapters/dynamo-custody-records.ts'),
  ]);
  let custody: CustodyStore | undefined;
  let records: CustodyRecords | undefined;
  let docs: (DocumentStore & DocumentKeyLister) | undefined;
  let runs: IntegrityRunLog | undefined;
  let identityRepo: IdentityRepository | undefined;
  let mail: Mailer | undefined;
  defaults = {
    get custody() {
      return (custody ??= s3Custody.custodyStoreFromEnv());
    },
    get records() {
      return (records ??= custodyRecords.custodyRecordsFromEnv());
    },
    get documents() {
      return (docs ??= documents.listingDocumentStoreFromEnv());
    },
    get trustStoredChecksums() {
      return byteSource.storedChecksumsTrusted();
    },
    get runs() {
      return (runs ??= s3Custody.integrityRunLogFromEnv());
    },
    get identity() {
      return (identityRepo ??= identity.identityRepositoryFromEnv());
    },
    get mailer() {
      return (mail ??= mailer.mailerFromEnv());
    },
    now: () => new Date(),
  };
  return defaults;
}

/**
 * The ports of copyFromUploads (shared/custody/copy.ts) for the transfer
 * step: the backup store only where LOCAL_BACKUP_COPY=1 (the local cloud),
 * since on AWS replication writes the backup region.
 */
export async function custodyCopyPortsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<CopyPorts> {
  const [s3Custody, submission] = await Promise.all([import('#adapters/s3-custody.ts'), import('#adapters/dynamo-submission.ts')]);
  const backup = s3Custody.localBackupStoreFromEnv(env);
  return {
    submissions: submission.submissionStoreFromEnv(env),
    uploads: s3Custody.uploadsSourceFromEnv(env),
    custody: s3Custody.custodyStoreFromEnv(env),
    ...(backup ? { backup } : {}),
    now: () => new Date(),
  };
}
