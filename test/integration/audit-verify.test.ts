import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { cataloguedValidResult } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, cloud, ddb, getItem } from './helpers.ts';

const run = promisify(execFile);
const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });

/** `npm run audit:verify` as an operator runs it against this cloud (its ports and data folder). */
async function auditVerify(): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], CHENGGUO_PORT_BASE: String(testPortBase) };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'infra/local/audit-verify.ts', '--data-dir', cloud.dataDir], { cwd: projectRoot, env });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function anchorKeys(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: localBucketName('custody'), Prefix: 'audit-anchors/' }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

describe('R10.1 audit:verify on the local cloud (every province chain): a direct DynamoDB edit of a catalogue entry is named; the chain is anchored outside the table', () => {
  let resultNumber: string;
  let original: Record<string, unknown>;
  beforeAll(async () => {
    ({ resultNumber } = await cataloguedValidResult());
    original = (await getItem({ pk: `CAT#${resultNumber}`, sk: 'META' }))!;
  }, 120_000);
  afterAll(async () => {
    // Later test files share this cloud: put the entry back as its last audit record says it was.
    if (original) await ddb.send(new PutCommand({ TableName: cloud.tables.registry, Item: original }));
  });

  it('verifies the chain, finds the entry as its audit record wrote it, and writes a signed anchor of the head to the custody bucket', async () => {
    const before = await anchorKeys();

    const { code, out } = await auditVerify();

    expect(out).toMatch(/审计链完整：\d+ 条记录/);
    expect(out).not.toMatch(/审计链已被改写|锚点 \S+ 无效/);
    expect(out).not.toContain(`CAT#${resultNumber}`);
    // Every update expression the flow used was interpreted: no item state recorded as unknown.
    expect(out).not.toMatch(/not comparable/);
    expect(out).toMatch(/本次新写入锚点 \(new anchor written\)/);
    // Test files share this cloud and run in no fixed order; another file may have edited an item directly on purpose.
    if (code !== 0) console.log(out);
    expect(code === 0 || /items changed outside the audited path/.test(out), out).toBe(true);
    // One new anchor per chain that grew (shared/audit/shards.ts): the catalogued result's province chain among them.
    const added = (await anchorKeys()).filter((k) => !before.includes(k));
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.some((k) => /^audit-anchors\/\d{2}\/\d{12}\.json$/.test(k)), added.join(' ')).toBe(true);
    expect(out).toMatch(/共 \d+ 条链，全部完整/);
  });

  it('names the entry a direct DynamoDB edit made public, with the audit record it no longer matches — and so does the scheduled job', async () => {
    await ddb.send(new PutCommand({ TableName: cloud.tables.registry, Item: { ...original, classification: 'public' } }));

    const { code, out } = await auditVerify();
    const fired = await api('POST', '/local/schedules/HourlyAuditAnchor/run');

    expect(code, out).toBe(1);
    expect(out).toMatch(/审计链完整/);
    expect(out).toContain(`CAT#${resultNumber} META 在审计路径之外被修改：与第`);
    expect(out).toMatch(/\(CAT#\S+ META was changed outside the audited path/);
    expect(fired.status).toBe(200);
    expect(fired.body.result).toMatchObject({ ok: false, drifts: expect.any(Number) });
    expect((fired.body.result.lines as string[]).join('\n')).toContain(`CAT#${resultNumber} META 在审计路径之外被修改`);
  });
});
