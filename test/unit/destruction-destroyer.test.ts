import { DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3CustodyDestroyer } from '#adapters/s3-custody-destroyer.ts';

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

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('results/N1/');

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

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('manifests/N1/');

    expect(removed).toBe(2);
    expect(s3.objects).toEqual([{ Key: 'manifests/N2/v1.json' }]);
  });

  it('pages through more objects than one DeleteObjects call takes', async () => {
    const s3 = new FakeS3(
      Array.from({ length: 2500 }, (_, i) => ({ Key: `results/N1/v1/f${i}` })),
      false,
    );

    const removed = await new S3CustodyDestroyer('custody', s3).destroyPrefix('results/N1/');

    expect(removed).toBe(2500);
    expect(s3.deletes.map((d) => d.objects.length)).toEqual([1000, 1000, 500]);
  });
});
