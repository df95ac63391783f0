import { DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command, S3Client, type ObjectIdentifier } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ApprovedDestruction, CustodyDestroyer } from '#shared/destruction/destruction.ts';
import { localBackupCopyEnv } from './s3-custody.ts';
import { bucketName } from './s3.ts';

type Client = Pick<S3Client, 'send'>;

/** S3 DeleteObjects takes at most 1,000 keys per call. */
const deleteBatch = 1000;

function notImplemented(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotImplemented' || e?.$metadata?.httpStatusCode === 501 || e?.$metadata?.httpStatusCode === 405;
}

/** The environment variable naming the destruction role (set by CDK on the destroy function only). */
export const destructionRoleEnv = 'CUSTODY_DESTRUCTION_ROLE_ARN';

/** The AssumeRole request of one approved destruction: session tags and a session policy scoped to one prefix. */
export interface DestructionSession {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly DurationSeconds: number;
  readonly Policy: string;
  readonly Tags: Array<{ Key: string; Value: string }>;
}

/**
 * The session of one approved destruction (AssumeRole on the destruction
 * role, infra/constructs/custody-lockdown.ts): tagged with the result number
 * and the destruction id (the role's own policy allows deletes only under
 * `results/${aws:PrincipalTag/resultNumber}/` and `manifests/…/`, and its
 * trust policy refuses a session without these tags), and a session policy
 * allowing exactly the listing and deletion of this one prefix. The effective
 * permission is the intersection: nothing outside the approved result's
 * prefix, and nothing at all outside such a session — the function's own role
 * holds no delete and no governance bypass.
 */
export function destructionSession(roleArn: string, bucket: string, prefix: string, approved: ApprovedDestruction): DestructionSession {
  const partition = /^arn:([^:]+):/.exec(roleArn)?.[1] ?? 'aws';
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListBucketVersions'], Resource: bucketArn, Condition: { StringLike: { 's3:prefix': `${prefix}*` } } },
      { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], Resource: `${bucketArn}/${prefix}*` },
    ],
  };
  const safe = (s: string) => s.replace(/[^\w+=,.@-]/g, '-');
  return {
    RoleArn: roleArn,
    RoleSessionName: safe(`destroy-${approved.destructionId}`).slice(0, 64),
    DurationSeconds: 900,
    Policy: JSON.stringify(policy),
    Tags: [
      { Key: 'resultNumber', Value: approved.resultNumber },
      { Key: 'destructionId', Value: approved.destructionId },
    ],
  };
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
 * `x-amz-bypass-governance-retention: true` (BypassGovernanceRetention).
 * No role holds that permission standing: with `roleArn` (AWS; the
 * CUSTODY_DESTRUCTION_ROLE_ARN of the destroy function) every call first
 * assumes the destruction role for this one approved result
 * (destructionSession: session tags + a session policy on the prefix), and
 * the custody bucket policy denies version deletes and the bypass to every
 * other principal but the break-glass role. COMPLIANCE mode could not be
 * bypassed by anyone.
 *
 * The local cloud sets no role: the assume step is skipped (the local S3
 * checks no IAM) and the function's own client deletes — explicitly, see
 * custodyDestroyersFromEnv. The local S3 has no versioning:
 * ListObjectVersions answers NotImplemented there, so the destroyer falls
 * back to ListObjectsV2 and deletes the current objects.
 */
export class S3CustodyDestroyer implements CustodyDestroyer {
  constructor(
    private readonly bucket: string,
    private readonly client: Client = new S3Client({ forcePathStyle: Boolean(process.env['AWS_ENDPOINT_URL_S3'] || process.env['AWS_ENDPOINT_URL']) }),
    private readonly scoped?: { readonly roleArn: string; readonly clientFor: (session: DestructionSession) => Client },
  ) {}

  async destroyPrefix(prefix: string, approved: ApprovedDestruction): Promise<number> {
    const client = this.scoped ? this.scoped.clientFor(destructionSession(this.scoped.roleArn, this.bucket, prefix, approved)) : this.client;
    let removed = 0;
    // Deleting while listing moves the listing; each round lists from the start until nothing is left.
    for (;;) {
      const batch = await this.listBatch(client, prefix);
      if (batch.length === 0) return removed;
      await this.deleteAll(client, batch);
      removed += batch.length;
    }
  }

  private async listBatch(client: Client, prefix: string): Promise<ObjectIdentifier[]> {
    try {
      const out = await client.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: deleteBatch }));
      const versions = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].flatMap((v) =>
        v.Key ? [{ Key: v.Key, ...(v.VersionId && v.VersionId !== 'null' ? { VersionId: v.VersionId } : {}) }] : [],
      );
      if (versions.length > 0) return versions.slice(0, deleteBatch);
    } catch (error) {
      if (!notImplemented(error)) throw error;
    }
    const out = await client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: deleteBatch }));
    return (out.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
  }

  private async deleteAll(client: Client, objects: ObjectIdentifier[]): Promise<void> {
    const out = await client.send(
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
 *
 * The destruction role: CUSTODY_DESTRUCTION_ROLE_ARN (CDK sets it on the
 * destroy function). Without it the assume step is skipped — only against
 * an S3 endpoint override (the local cloud); on AWS its absence is an error,
 * never a silent fallback to the function's own role (which may not delete).
 */
export function custodyDestroyersFromEnv(env: NodeJS.ProcessEnv = process.env): S3CustodyDestroyer[] {
  const local = Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
  const roleArn = env[destructionRoleEnv];
  if (!roleArn && !local) throw new Error(`${destructionRoleEnv} is not set: custody destruction on AWS runs only under the destruction role`);
  const base = new S3Client({ forcePathStyle: local });
  const scoped = roleArn
    ? {
        roleArn,
        clientFor: (session: DestructionSession) => new S3Client({ forcePathStyle: local, credentials: fromTemporaryCredentials({ params: session }) }),
      }
    : undefined;
  const destroyers = [new S3CustodyDestroyer(bucketName('custody', env), base, scoped)];
  if (env[localBackupCopyEnv] === '1') destroyers.push(new S3CustodyDestroyer(bucketName('backup', env), base));
  return destroyers;
}
