/** Port recipes on the S3 buckets (uploads, documents, …). Each calls the adapter's factory unchanged. */
import { port } from '../port.ts';

// --- tasks, verification ---
import { packageReaderFromEnv } from '#adapters/s3-byte-source.ts';
import { documentStoreFromEnv } from '#adapters/s3-documents.ts';
import type { DocumentStore, PackageReader } from '#shared/ports/verification.ts';

/** Reports and other kept documents (documents bucket). */
export const documents = port({ name: 'documents', env: ['documents'], build: (env): DocumentStore => documentStoreFromEnv(env) });

/** A sealed version's objects, read by ranges (uploads bucket). */
export const packages = port({ name: 'packages', env: ['uploads'], build: (env): PackageReader => packageReaderFromEnv(env) });

// --- submission, catalogue ---
import { packageObjectStoreFromEnv } from '#adapters/s3-uploads.ts';
import { publicCatalogueFilesFromEnv } from '#adapters/s3-public-catalogue.ts';
import type { PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import type { PackageObjectStore } from '#shared/ports/submission.ts';

/** The uploads bucket: presigned PUT / multipart uploads of submission packages. */
export const objects = port({ name: 'objects', env: ['uploads'], build: (env): PackageObjectStore => packageObjectStoreFromEnv(env) });

/** The published bucket: the public catalogue's page, search index and STAC files (R9.3). */
export const publicFiles = port({ name: 'publicFiles', env: ['published'], build: (env): PublicCatalogueFiles => publicCatalogueFilesFromEnv(env) });
