import { DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command, S3Client, type ObjectIdentifier } from '@aws-sdk/client-s3';
import type { CustodyDestroyer } from '#shared/destruction/destruction.ts';
import { localBackupCopyEnv } from './s3-custody.ts';
import { bucketName } from './s3.ts';

type Client = Pick<S3Client, 'send'>;

/** S3 DeleteObjects takes at most 1,000 keys per call. */
const deleteBatch = 1000;

function notImplemented(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotImplemented' || e?.$metadata?.httpStatusCode === 501 || e?.$metadata?.httpStatusCode === 405;
}

/**
 * THE privileged path that removes custody bytes (destruction, 销毁). Built
 * only by functions/destruction/destroy-objects.ts, the Destruction state
 * machine's step after an approved human task; the CustodyStore port has no
 * delete and no HTTP route reaches this class.
 *
 * On AWS the custody bucket is versioned with Object Lock (GOVERNANCE): a
 * plain delete only adds a delete marker and the locked versions stay. So
 * every version and delete marker under the prefix is listed
 * (ListObjectVersions) and deleted by VersionId with
 * `x-amz-bypass-governance-retention: true` (BypassGovernanceRetention),
 * which needs s3:BypassGovernanceRetention + s3:DeleteObjectVersion — granted
 * to this one function only (infra/constructs/chengguo-function.ts,
 * `destroysCustodyObjects`). COMPLIANCE mode could not be bypassed by anyone.
 *
 * The local S3 emulator (fauxqs) has no versioning: ListObjectVersions is
 * unsupported or returns nothing there, so the destroyer falls back to
 * ListObjectsV2 and deletes the current objects.
 */
export class S3CustodyDestroyer implements CustodyDestroyer {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = new S3Client({ forcePathStyle: Boolean(process.env['AWS_ENDPOINT_URL_S3'] || process.env['AWS_ENDPOINT_URL']) }),
  ) {}

  async destroyPrefix(prefix: string): Promise<number> {
    let removed = 0;
    // Deleting while listing moves the listing; each round lists from the start until nothing is left.
    for (;;) {
      const batch = await this.listBatch(prefix);
      if (batch.length === 0) return removed;
      await this.deleteAll(batch);
      removed += batch.length;
    }
  }

  private async listBatch(prefix: string): Promise<ObjectIdentifier[]> {
    try {
      const out = await this.client.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: deleteBatch }));
      const versions = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].flatMap((v) =>
        v.Key ? [{ Key: v.Key, ...(v.VersionId && v.VersionId !== 'null' ? { VersionId: v.VersionId } : {}) }] : [],
      );
      if (versions.length > 0) return versions.slice(0, deleteBatch);
    } catch (error) {
      if (!notImplemented(error)) throw error;
    }
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: deleteBatch }));
    return (out.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
  }

  private async deleteAll(objects: ObjectIdentifier[]): Promise<void> {
    const out = await this.client.send(
      new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true }, BypassGovernanceRetention: true }),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(`custody destruction: ${failed.length} object(s) not deleted, first ${first?.Key ?? '?'}: ${first?.Code ?? ''} ${first?.Message ?? ''}`);
    }
  }
}

/**
 * Custody, and the backup bucket where the local cloud keeps the copy by
 * hand (LOCAL_BACKUP_COPY=1). On AWS the replica lives in the backup region
 * and no function holds a grant on it: replication does not carry
 * version deletes, so the replica's versions are destroyed by the operator
 * in the backup region per docs/custody.md (the audit record names them).
 */
export function custodyDestroyersFromEnv(env: NodeJS.ProcessEnv = process.env): S3CustodyDestroyer[] {
  const destroyers = [new S3CustodyDestroyer(bucketName('custody', env))];
  if (env[localBackupCopyEnv] === '1') destroyers.push(new S3CustodyDestroyer(bucketName('backup', env)));
  return destroyers;
}
