import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3PublicCatalogueFiles } from '#adapters/s3-public-catalogue.ts';

/** An S3 client that answers DeleteObjects and ListObjectsV2 as told, and records what it was sent. */
function client(answers: { deleteErrors?: Array<{ Key: string; Code: string; Message: string }>; listed?: Array<{ Key: string; LastModified: Date }> }) {
  const sent: unknown[] = [];
  return {
    sent,
    send: async (command: unknown) => {
      sent.push(command);
      if (command instanceof DeleteObjectsCommand) return { Errors: answers.deleteErrors ?? [] };
      if (command instanceof ListObjectsV2Command) return { Contents: answers.listed ?? [], IsTruncated: false };
      throw new Error('unexpected command');
    },
  };
}

describe('R9.3 the published files of the public catalogue in S3', () => {
  it('fails the run when S3 reports a file it could not delete (AccessDenied inside a 200 answer), naming it', async () => {
    const s3 = client({ deleteErrors: [{ Key: 'public-catalogue/collections/landSurvey/items/X.json', Code: 'AccessDenied', Message: 'Access Denied' }] });
    const files = new S3PublicCatalogueFiles('published', s3 as never);

    await expect(files.delete(['collections/landSurvey/items/X.json'])).rejects.toThrow(/1 file\(s\) could not be deleted, e\.g\. public-catalogue\/collections\/landSurvey\/items\/X\.json: AccessDenied/);
  });

  it('deletes quietly when S3 reports no failure, 1,000 keys per request', async () => {
    const s3 = client({});
    const files = new S3PublicCatalogueFiles('published', s3 as never);

    await files.delete(Array.from({ length: 1001 }, (_, i) => `collections/t/items/${i}.json`));

    expect(s3.sent).toHaveLength(2);
  });

  it('lists the published files with when each was last written', async () => {
    const s3 = client({
      listed: [
        { Key: 'public-catalogue/old.json', LastModified: new Date('2026-11-28T08:00:00Z') },
        { Key: 'public-catalogue/new.json', LastModified: new Date('2026-11-28T08:00:05Z') },
      ],
    });
    const files = new S3PublicCatalogueFiles('published', s3 as never);

    expect(await files.list()).toEqual([
      { key: 'old.json', lastModified: new Date('2026-11-28T08:00:00Z') },
      { key: 'new.json', lastModified: new Date('2026-11-28T08:00:05Z') },
    ]);
  });
});
