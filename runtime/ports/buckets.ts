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
