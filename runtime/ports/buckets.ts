/** Port recipes on the S3 buckets (uploads, documents, …). Each calls the adapter's factory unchanged. */
import { port } from '../port.ts';

// --- tasks, verification ---
import { packageReaderFromEnv } from '#adapters/s3-byte-source.ts';
import { documentStoreFromEnv } from '#adapters/s3-documents.ts';
import type { DocumentStore, PackageReader } from '#shared/ports/verification.ts';

/** A sealed version's objects, read by ranges (uploads bucket). */
export const packages = /* @__PURE__ */ port({ name: 'packages', env: ['uploads'], build: (env): PackageReader => packageReaderFromEnv(env) });

// --- submission, catalogue ---
import { packageObjectStoreFromEnv } from '#adapters/s3-uploads.ts';
import { publicCatalogueFilesFromEnv } from '#adapters/s3-public-catalogue.ts';
import type { PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import type { PackageObjectStore } from '#shared/ports/submission.ts';

/** The uploads bucket: presigned PUT / multipart uploads of submission packages. */
export const objects = /* @__PURE__ */ port({ name: 'objects', env: ['uploads'], build: (env): PackageObjectStore => packageObjectStoreFromEnv(env) });

/** The published bucket: the public catalogue's page, search index and STAC files (R9.3). */
export const publicFiles = /* @__PURE__ */ port({ name: 'publicFiles', env: ['published'], build: (env): PublicCatalogueFiles => publicCatalogueFilesFromEnv(env) });

// --- transfer, custody, destruction ---
import { storedChecksumsTrusted } from '#adapters/s3-byte-source.ts';
import { custodyDestroyersFromEnv } from '#adapters/s3-custody-destroyer.ts';
import { custodyStoreFromEnv, integrityRunLogFromEnv, localBackupStoreFromEnv, uploadsSourceFromEnv } from '#adapters/s3-custody.ts';
import { listingDocumentStoreFromEnv } from '#adapters/s3-documents.ts';
import type { DocumentKeyLister, IntegrityRunLog } from '#shared/custody/integrity.ts';
import type { CustodyDestroyer } from '#shared/destruction/destruction.ts';
import type { CustodyStore, UploadsSource } from '#shared/ports/custody.ts';

/** The uploads bucket as the source of the copy into custody. */
export const uploadsSource = /* @__PURE__ */ port({ name: 'uploadsSource', env: ['uploads'], build: (env): UploadsSource => uploadsSourceFromEnv(env) });

/** The custody bucket: write-once results and their manifests. */
export const custody = /* @__PURE__ */ port({ name: 'custody', env: ['custody'], build: (env): CustodyStore => custodyStoreFromEnv(env) });

/**
 * The backup bucket, written by the copy only on the local cloud (LOCAL_BACKUP_COPY=1);
 * undefined on AWS, where replication writes the backup region. No group: the variable is optional.
 */
export const backup = /* @__PURE__ */ port({ name: 'backup', env: [], build: (env): CustodyStore | undefined => localBackupStoreFromEnv(env) });

/** The documents bucket, with listing by prefix (the integrity audit's batch files and reports). */
export const listingDocuments = /* @__PURE__ */ port({ name: 'documents', env: ['documents'], build: (env): DocumentStore & DocumentKeyLister => listingDocumentStoreFromEnv(env) });

/** Reports and other kept documents (documents bucket). */
export const documents = /* @__PURE__ */ port({ name: 'documents', env: ['documents'], build: (env): DocumentStore => documentStoreFromEnv(env) });

/** Whether the store's full-object SHA-256 is trusted (true on AWS, false on an emulator; STORED_CHECKSUMS overrides). */
export const trustStoredChecksums = /* @__PURE__ */ port({ name: 'trustStoredChecksums', env: [], build: (env): boolean => storedChecksumsTrusted(env) });

/** The integrity audit's run records on the registry (audited); its adapter lives with the custody store. */
export const integrityRuns = /* @__PURE__ */ port({ name: 'runs', env: ['registry', 'logs'], build: (env): IntegrityRunLog => integrityRunLogFromEnv(env) });

/** The integrity audit's run records, read (GET /custody/integrity-audits). */
import { integrityRunReaderFromEnv } from '#adapters/dynamo-integrity-runs.ts';
import type { IntegrityRunReader } from '#shared/custody/integrity-reports.ts';
export const integrityRunsRead = /* @__PURE__ */ port({ name: 'runs', env: ['registry'], build: (env): IntegrityRunReader => integrityRunReaderFromEnv(env) });

/** THE privileged path: deletes every version under a result's custody prefixes (and the local backup copy). */
export const custodyDestroyers = /* @__PURE__ */ port({ name: 'destroyers', env: ['custody'], build: (env): readonly CustodyDestroyer[] => custodyDestroyersFromEnv(env) });

// --- publication ---
import { releaseFilesFromEnv } from '#adapters/s3-release-files.ts';
import { downloadSignerFromEnv } from '#adapters/cloudfront-downloads.ts';
import type { ReleaseFileStore } from '#shared/publication/publish.ts';

/** The published bucket's releases/ prefix, copied into server-side from the uploads bucket (PublishRelease). */
export const releaseCopies = /* @__PURE__ */ port({ name: 'releaseFiles', env: ['published', 'uploads'], build: (env): ReleaseFileStore => releaseFilesFromEnv(env) });

/** The same prefix, presigned GETs only (public downloads). */
export const releaseDownloads = /* @__PURE__ */ port({ name: 'releaseFiles', env: ['published'], build: (env): Pick<ReleaseFileStore, 'presignGet'> => downloadSignerFromEnv(env) });
