import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { localEnvironment } from '#infra/local/cloud.ts';
import { runRestore } from '#infra/local/custody-restore.ts';
import { localBucketName, localPorts } from '#infra/local/ports.ts';
import { custodyStoreFromEnv } from '#adapters/s3-custody.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { copyFromUploads, type CopyResult } from '#shared/custody/copy.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { cataloguedValidResult, fixtureFiles, submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, auditHeadSeq, auditRecordsSince, cloud, eventually, getItem, sfn, waitForEmail } from './helpers.ts';

// The copy and the restore run here as the transfer step and the operator would: this process gets the cloud's function environment.
Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });

interface AuditRun {
  executionName: string;
  report: { passed: boolean; problems: number; reportKey: string; htmlKey: string };
}

/** Fires the weekly schedule now and waits for its execution to finish. */
async function runAudit(): Promise<AuditRun> {
  const fired = await api('POST', '/local/schedules/WeeklyIntegrityAudit/run');
  expect(fired.status).toBe(200);
  const executionArn = String(fired.body.result.executionArn);
  const done = await eventually(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    'the integrity audit to finish',
    60_000,
  );
  expect(done.status, done.cause ?? '').toBe('SUCCEEDED');
  const output = JSON.parse(done.output ?? '{}') as { run: { executionName: string }; report: AuditRun['report'] };
  return { executionName: output.run.executionName, report: output.report };
}

async function documentJson(key: string): Promise<any> {
  const out = await s3.send(new GetObjectCommand({ Bucket: localBucketName('documents'), Key: key }));
  return JSON.parse(await out.Body!.transformToString('utf-8'));
}

/** A verified package of the `valid` fixture, numbered by its custodian and copied into custody by the transfer's step (which records it in the registry). */
async function resultInCustody(): Promise<{ copy: CopyResult; submissionId: string; name: string }> {
  const { submissionId, name, resultNumber } = await cataloguedValidResult();
  const copy = await copyIntoCustody(
    { copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() },
    { submissionId, n: 1, resultNumber, requestId: `custody-test-${submissionId}` },
  );
  return { copy, submissionId, name };
}

describe('R10.1 custody integrity on the local cloud: corrupt by hand → the audit names it → restore from backup → the audit passes', () => {
  let result: Awaited<ReturnType<typeof resultInCustody>>;
  beforeAll(async () => {
    result = await resultInCustody();
  }, 120_000);

  it('copies the verified package and its manifest into custody and the backup bucket', async () => {
    const files = await fixtureFiles('valid');

    expect(result.copy).toMatchObject({ n: 1, files: files.size, written: 2 * (files.size + 1) });
    const [path, bytes] = [...files][0]!;
    const key = custodyObjectKey(result.copy.resultNumber, 1, path);
    for (const bucket of ['custody', 'backup']) {
      const got = await s3.send(new GetObjectCommand({ Bucket: localBucketName(bucket), Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes), bucket).toBe(true);
    }
  });

  it('refuses to overwrite a custody object through the adapter and leaves it as it was; a repeated copy writes nothing', async () => {
    const [path, bytes] = [...(await fixtureFiles('valid'))][0]!;
    const key = custodyObjectKey(result.copy.resultNumber, 1, path);

    const overwrite = await custodyStoreFromEnv()
      .putOnce(key, Buffer.from('forged'), '0'.repeat(64), 6)
      .then(() => undefined, (error: unknown) => error);
    const again = await copyFromUploads(
      copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))),
      { submissionId: result.submissionId, n: 1, resultNumber: result.copy.resultNumber },
    );

    expect(overwrite).toMatchObject({ code: 'CUSTODY_OBJECT_EXISTS', message: expect.stringMatching(/不得覆盖或删除/) });
    expect(again.written).toBe(0);
    const got = await s3.send(new GetObjectCommand({ Bucket: localBucketName('custody'), Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
  });

  it('passes, names the one object corrupted by hand and alerts the custodian, restores it from backup, and passes again', async () => {
    const first = await runAudit();
    expect(first.report).toMatchObject({ passed: true, problems: 0 });
    const run = await getItem({ pk: `INTEGRITY#${first.report.reportKey.split('/')[1]}`, sk: `RUN#${first.executionName}` });
    expect(run).toMatchObject({ passed: true, reportKey: first.report.reportKey });

    const [path, bytes] = [...(await fixtureFiles('valid'))].at(-1)!;
    const key = custodyObjectKey(result.copy.resultNumber, 1, path);
    const corrupted = Buffer.from(bytes);
    corrupted[0] = (corrupted[0] ?? 0) ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: localBucketName('custody'), Key: key, Body: corrupted }));
    const since = new Date();

    const second = await runAudit();

    expect(second.report).toMatchObject({ passed: false, problems: 1 });
    const report = await documentJson(second.report.reportKey);
    expect(report.problems).toEqual([expect.objectContaining({ key, status: 'mismatch', resultNumber: result.copy.resultNumber })]);
    const html = await s3.send(new GetObjectCommand({ Bucket: localBucketName('documents'), Key: second.report.htmlKey }));
    expect(await html.Body!.transformToString('utf-8')).toContain(key);
    const alert = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: '【保管完整性告警】1 个保管对象缺失或校验不符', since, timeoutMs: 15_000 });
    expect(alert.text).toContain(key);
    expect(alert.text).toContain(`npm run custody:restore -- --all-damaged ${second.report.reportKey}`);
    await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '【保管完整性告警】1 个保管对象缺失或校验不符', since, timeoutMs: 15_000 });

    const seq = await auditHeadSeq();
    const restored = await runRestore(['--all-damaged', second.report.reportKey, '--operator', 'zhang.wei'], process.env, () => undefined);

    expect(restored.failed).toEqual([]);
    expect(restored.restored).toEqual([expect.objectContaining({ key, before: 'mismatch' })]);
    const records = await auditRecordsSince(seq);
    expect(records.filter((r) => r['action'] === 'custody.object.restore' && r['target'] === `CUSTODY#${key}` && r['actor'] === 'zhang.wei')).toHaveLength(1);

    const third = await runAudit();
    expect(third.report).toMatchObject({ passed: true, problems: 0 });
  }, 120_000);

  it('refuses to restore an intact object', async () => {
    const [path] = [...(await fixtureFiles('valid'))][0]!;
    const key = custodyObjectKey(result.copy.resultNumber, 1, path);

    const out = await runRestore([key], process.env, () => undefined);

    expect(out.restored).toEqual([]);
    expect(out.failed).toEqual([expect.objectContaining({ key, code: 'CUSTODY_OBJECT_INTACT' })]);
  });
});

describe('R10.1 the integrity audit trusts the registry, not the bucket: the four tampering cases of issue 8, detected and repaired by custody:restore', () => {
  let r1: Awaited<ReturnType<typeof resultInCustody>>;
  let r2: Awaited<ReturnType<typeof resultInCustody>>;
  beforeAll(async () => {
    r1 = await resultInCustody();
    r2 = await resultInCustody();
  }, 240_000);

  const custodyBucket = localBucketName('custody');
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const flip = (b: Uint8Array) => {
    const out = Buffer.from(b);
    out[0] = (out[0] ?? 0) ^ 0xff;
    return out;
  };

  it('(a) file + manifest rewritten, (b) manifest deleted + file changed, (c) file changed, (d) file deleted: all four found, all repaired from backup, the audit passes again', async () => {
    const files = [...(await fixtureFiles('valid'))];
    expect(files.length).toBeGreaterThanOrEqual(2);
    const [[p0, b0], [p1, b1]] = [files[0]!, files[1]!];
    const n1 = r1.copy.resultNumber;
    const n2 = r2.copy.resultNumber;
    // (a) r1: a data file rewritten together with its manifest, which now names the forged bytes.
    const manifest1 = await s3.send(new GetObjectCommand({ Bucket: custodyBucket, Key: custodyManifestKey(n1, 1) }));
    const forged = JSON.parse(await manifest1.Body!.transformToString('utf-8')) as { files: Array<{ path: string; sha256: string }> };
    for (const f of forged.files) if (f.path === p0) f.sha256 = sha(flip(b0));
    await s3.send(new PutObjectCommand({ Bucket: custodyBucket, Key: custodyObjectKey(n1, 1, p0), Body: flip(b0) }));
    await s3.send(new PutObjectCommand({ Bucket: custodyBucket, Key: custodyManifestKey(n1, 1), Body: JSON.stringify(forged) }));
    // (d) r1: a data file deleted.
    await s3.send(new DeleteObjectCommand({ Bucket: custodyBucket, Key: custodyObjectKey(n1, 1, p1) }));
    // (b) r2: the manifest deleted and a data file changed.
    await s3.send(new DeleteObjectCommand({ Bucket: custodyBucket, Key: custodyManifestKey(n2, 1) }));
    await s3.send(new PutObjectCommand({ Bucket: custodyBucket, Key: custodyObjectKey(n2, 1, p0), Body: flip(b0) }));
    // (c) r2: a data file changed only.
    await s3.send(new PutObjectCommand({ Bucket: custodyBucket, Key: custodyObjectKey(n2, 1, p1), Body: flip(b1) }));

    const damaged = await runAudit();

    expect(damaged.report.passed).toBe(false);
    const report = await documentJson(damaged.report.reportKey);
    const ours = (report.problems as Array<{ key: string; status: string; resultNumber: string }>).filter((p) => p.resultNumber === n1 || p.resultNumber === n2);
    expect(ours.map((p) => [p.key, p.status]).sort()).toEqual(
      [
        [custodyManifestKey(n1, 1), 'manifestMismatch'],
        [custodyObjectKey(n1, 1, p0), 'mismatch'],
        [custodyObjectKey(n1, 1, p1), 'missing'],
        [custodyManifestKey(n2, 1), 'manifestMissing'],
        [custodyObjectKey(n2, 1, p0), 'mismatch'],
        [custodyObjectKey(n2, 1, p1), 'mismatch'],
      ].sort(),
    );

    const restored = await runRestore(['--all-damaged', damaged.report.reportKey, '--operator', 'zhang.wei'], process.env, () => undefined);

    expect(restored.failed).toEqual([]);
    expect(restored.restored.map((r) => [r.key, r.before]).sort()).toEqual(
      [
        [custodyManifestKey(n1, 1), 'mismatch'],
        [custodyObjectKey(n1, 1, p0), 'mismatch'],
        [custodyObjectKey(n1, 1, p1), 'missing'],
        [custodyManifestKey(n2, 1), 'missing'],
        [custodyObjectKey(n2, 1, p0), 'mismatch'],
        [custodyObjectKey(n2, 1, p1), 'mismatch'],
      ].sort(),
    );
    const back = await s3.send(new GetObjectCommand({ Bucket: custodyBucket, Key: custodyObjectKey(n1, 1, p0) }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(b0)).toBe(true);

    const again = await runAudit();
    expect(again.report).toMatchObject({ passed: true, problems: 0 });
  }, 180_000);
});
