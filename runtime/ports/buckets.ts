/** Port recipes on the S3 buckets. Each calls the adapter's factory unchanged, after `compose` validated its variables. */
import { port } from '../port.ts';

// --- platform, catalogue-report ---
import { documentStoreFromEnv } from '#adapters/s3-documents.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';

/** Generated documents (reports, catalogue reports) in the documents bucket. */
export const documents = port({ name: 'documents', env: ['documents'], build: (env): DocumentStore => documentStoreFromEnv(env) });
