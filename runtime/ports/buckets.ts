/** Port recipes on the S3 buckets. Each calls the adapter's factory unchanged, after `compose` validated its variables. */
import { port } from '../port.ts';

// --- submission, catalogue ---
import { packageObjectStoreFromEnv } from '#adapters/s3-uploads.ts';
import { publicCatalogueFilesFromEnv } from '#adapters/s3-public-catalogue.ts';
import type { PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import type { PackageObjectStore } from '#shared/ports/submission.ts';

/** The uploads bucket: presigned PUT / multipart uploads of submission packages. */
export const objects = port({ name: 'objects', env: ['uploads'], build: (env): PackageObjectStore => packageObjectStoreFromEnv(env) });

/** The published bucket: the public catalogue's page, search index and STAC files (R9.3). */
export const publicFiles = port({ name: 'publicFiles', env: ['published'], build: (env): PublicCatalogueFiles => publicCatalogueFilesFromEnv(env) });
