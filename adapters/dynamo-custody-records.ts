import * as z from 'zod/mini';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { CustodyCopyRecord, CustodyRecords, RecordedFile } from '#shared/ports/custody.ts';
import { custodyCopiesPartition, custodyCopyIndex, keys } from './dynamo.ts';
import { DynamoRegistryAccess, DynamoSubmissionStore, type RegistryAccess } from './dynamo-submission.ts';

const recordSchema = z.object({
  resultNumber: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  submissionId: z.string().check(z.minLength(1)),
  custodianOrg: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  manifestKey: z.string().check(z.minLength(1)),
  manifestSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  rootHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  files: z.number().check(z.int()).check(z.gte(0)),
  bytes: z.number().check(z.gte(0)),
});

type Item = Record<string, unknown>;

function recordOf(item: Item): CustodyCopyRecord {
  return recordSchema.parse(item['detail']);
}

/**
 * The registry's custody records (R10.1): the custodyCopied events carry
 * gsi1 CUSTODYCOPIES / <resultNumber>#v<nnnn> (written by
 * DynamoSubmissionStore.recordCustodyCopy), so the expected set is one
 * paginated key query on the index, ordered by number and version.
 */
export class DynamoCustodyRecords implements CustodyRecords {
  private readonly submissions: DynamoSubmissionStore;
  constructor(private readonly db: RegistryAccess) {
    this.submissions = new DynamoSubmissionStore(db);
  }

  async listCopies(cursor?: string): Promise<{ copies: CustodyCopyRecord[]; cursor?: string }> {
    const startKey = cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Item) : undefined;
    const page = await this.db.query({ index: 'gsi1', pk: custodyCopiesPartition, limit: 500, ...(startKey ? { startKey } : {}) });
    return {
      copies: page.items.map(recordOf),
      ...(page.lastKey ? { cursor: Buffer.from(JSON.stringify(page.lastKey), 'utf8').toString('base64url') } : {}),
    };
  }

  async findCopy(resultNumber: string, n: number): Promise<CustodyCopyRecord | undefined> {
    const { gsi1sk } = custodyCopyIndex(resultNumber, n);
    const page = await this.db.query({ index: 'gsi1', pk: custodyCopiesPartition, skPrefix: gsi1sk, limit: 10 });
    const item = page.items.find((i) => i['gsi1sk'] === gsi1sk);
    return item ? recordOf(item) : undefined;
  }

  async isDestroyed(resultNumber: string): Promise<boolean> {
    const entry = await this.db.get(keys.catalogueEntry(resultNumber));
    return entry?.['status'] === 'destroyed';
  }

  async listVersionFiles(submissionId: string, n: number): Promise<RecordedFile[]> {
    const version = await this.submissions.getVersion(submissionId, n);
    if (!version) return [];
    return (await this.submissions.listFiles(submissionId, n, version.manifestId)).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }));
  }
}

export function custodyRecordsFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoCustodyRecords {
  return new DynamoCustodyRecords(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env)));
}
