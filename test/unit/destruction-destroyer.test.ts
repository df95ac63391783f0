import { DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3CustodyDestroyer, custodyDestroyersFromEnv, destructionSession, type DestructionSession } from '#adapters/s3-custody-destroyer.ts';

const approved = { resultNumber: 'N1', destructionId: 'D-1' };

type Obj = { Key: string; VersionId?: string };

/** An S3 stand-in answering the three commands the destroyer sends, with or without versioning. */
class FakeS3 {
  readonly deletes: Array<{ objects: Obj[]; bypass: boolean | undefined }> = [];
  constructor(
    public objects: Obj[],
    private readonly versioned: boolean,
  ) {}

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ListObjectVersionsCommand) {
      if (!this.versioned) throw Object.assign(new Error('ListObjectVersions: this emulator keeps no versions (501)'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
      const prefix = command.input.Prefix ?? '';
      return { Versions: this.objects.filter((o) => o.Key.startsWith(prefix)).slice(0, command.input.MaxKeys) };
    }
    if (command instanceof ListObjectsV2Command) {
      const prefix = command.input.Prefix ?? '';
      return { Contents: this.objects.filter((o) => o.Key.startsWith(prefix)).slice(0, command.input.MaxKeys).map((o) => ({ Key: o.Key })) };
    }
    if (command instanceof DeleteObjectsCommand) {
      const doomed = command.input.Delete?.Objects ?? [];
      this.deletes.push({ objects: doomed.map((o) => ({ Key: o.Key ?? '', ...(o.VersionId ? { VersionId: o.VersionId } : {}) })), bypass: command.input.BypassGovernanceRetention });
      this.objects = this.objects.filter((o) => !doomed.some((d) => d.Key === o.Key && (d.VersionId === undefined || d.VersionId === o.VersionId)));
      return { Errors: [] };
    }
    throw new Error('unexpected command');
  }
}

describe('destruction (销毁): the privileged custody destroyer', () => {
  it('deletes every version under the prefix by VersionId, bypassing GOVERNANCE retention, and nothing else', async () => {
    const s3 = new FakeS3(
      [
        { Key: 'results/N1/v1/a.tif', VersionId: 'v-1' },
        { Key: 'results/N1/v1/a.tif', VersionId: 'v-2' },
        { Key: 'results/N10/v1/b.tif', VersionId: 'v-3' },
      ],
      true,
    );

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('results/N1/', approved);

    expect(removed).toBe(2);
    expect(s3.deletes).toEqual([
      {
        objects: [
          { Key: 'results/N1/v1/a.tif', VersionId: 'v-1' },
          { Key: 'results/N1/v1/a.tif', VersionId: 'v-2' },
        ],
        bypass: true,
      },
    ]);
    expect(s3.objects).toEqual([{ Key: 'results/N10/v1/b.tif', VersionId: 'v-3' }]);
  });

  it('falls back to the current objects where the store has no versions (the local emulator)', async () => {
    const s3 = new FakeS3([{ Key: 'manifests/N1/v1.json' }, { Key: 'manifests/N1/v2.json' }, { Key: 'manifests/N2/v1.json' }], false);

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('manifests/N1/', approved);

    expect(removed).toBe(2);
    expect(s3.objects).toEqual([{ Key: 'manifests/N2/v1.json' }]);
  });

  it('pages through more objects than one DeleteObjects call takes', async () => {
    const s3 = new FakeS3(
      Array.from({ length: 2500 }, (_, i) => ({ Key: `results/N1/v1/f${i}` })),
      false,
    );

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('results/N1/', approved);

    expect(removed).toBe(2500);
    expect(s3.deletes.map((d) => d.objects.length)).toEqual([1000, 1000, 500]);
  });
});

describe('R10.1 issue-11 destruction runs under a session of the destruction role scoped to the approved result', () => {
  const roleArn = 'arn:aws-cn:iam::123456789012:role/chengguo-prod-custody-destruction';

  it('asks for a session tagged with the result and destruction, whose policy allows listing and deleting only that prefix', () => {
    const session = destructionSession(roleArn, 'chengguo-prod-custody-1-cn-north-1', 'results/N1/', approved);

    expect(session.RoleArn).toBe(roleArn);
    expect(session.Tags).toEqual([
      { Key: 'resultNumber', Value: 'N1' },
      { Key: 'destructionId', Value: 'D-1' },
    ]);
    const policy = JSON.parse(session.Policy) as { Statement: Array<{ Action: string[]; Resource: string; Condition?: unknown }> };
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:ListBucketVersions'],
        Resource: 'arn:aws-cn:s3:::chengguo-prod-custody-1-cn-north-1',
        Condition: { StringLike: { 's3:prefix': 'results/N1/*' } },
      },
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
        Resource: 'arn:aws-cn:s3:::chengguo-prod-custody-1-cn-north-1/results/N1/*',
      },
    ]);
    expect(session.RoleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('deletes through the assumed session only, never with the function’s own client', async () => {
    const own = new FakeS3([{ Key: 'results/N1/v1/a.tif', VersionId: 'v-1' }], true);
    const assumed = new FakeS3([{ Key: 'results/N1/v1/a.tif', VersionId: 'v-1' }], true);
    const sessions: DestructionSession[] = [];

    const removed = await new S3CustodyDestroyer('custody', own, {
      roleArn,
      clientFor: (s) => {
        sessions.push(s);
        return assumed;
      },
    }).destroyPrefix('results/N1/', approved);

    expect(removed).toBe(1);
    expect(own.deletes).toEqual([]);
    expect(assumed.deletes).toHaveLength(1);
    expect(sessions.map((s) => JSON.parse(s.Policy).Statement[1].Resource)).toEqual(['arn:aws-cn:s3:::custody/results/N1/*']);
  });

  it('refuses to build a destroyer on AWS without the destruction role, and skips the assume step only against a local endpoint', () => {
    const env = { CUSTODY_BUCKET_NAME: 'custody' };

    expect(() => custodyDestroyersFromEnv(env)).toThrow(/CUSTODY_DESTRUCTION_ROLE_ARN/);
    expect(custodyDestroyersFromEnv({ ...env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' })).toHaveLength(1);
    expect(custodyDestroyersFromEnv({ ...env, CUSTODY_DESTRUCTION_ROLE_ARN: roleArn })).toHaveLength(1);
  });
});
