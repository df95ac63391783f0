import { beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localBucketName, localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import type { CopyResult } from '#shared/custody/copy.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { cataloguedValidResult, fixtureFiles, submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, auditHeadSeq, auditRecordsSince, cloud, eventually, sfn, waitForEmail } from './helpers.ts';

// The copy into custody runs here as the transfer step would: this process gets the cloud's function environment.
Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
const reasons = '该成果已被新一轮调查成果替代，保存期满，经研究决定销毁';

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: localBucketName(bucket), Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** A verified package of the `valid` fixture, numbered by its custodian and copied into custody (and the local backup). */
async function resultInCustody(): Promise<{ copy: CopyResult; name: string; keys: string[] }> {
  const { submissionId, name, resultNumber } = await cataloguedValidResult();
  // The transfer's step, so the registry records the copy and the integrity audit expects it (until destroyed).
  const copy = await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `destruction-test-${submissionId}` });
  const keys = [...(await fixtureFiles('valid')).keys()].map((p) => custodyObjectKey(resultNumber, 1, p)).concat(custodyManifestKey(resultNumber, 1));
  return { copy, name, keys };
}

async function round(resultNumber: string, wanted: string) {
  return eventually(
    async () => {
      const r = await api('GET', `/catalogue/${resultNumber}/destruction`, { token: await tokenOf('zhang.wei') });
      return r.status === 200 && r.body.destruction.status === wanted ? r.body.destruction : undefined;
    },
    `destruction of ${resultNumber} to be ${wanted}`,
    30_000,
  );
}

describe('R10.1 destruction (销毁) on the local cloud: request → organiser approval by emailed task → the one privileged path → entry destroyed', () => {
  let approved: Awaited<ReturnType<typeof resultInCustody>>;
  let refused: Awaited<ReturnType<typeof resultInCustody>>;
  beforeAll(async () => {
    approved = await resultInCustody();
    refused = await resultInCustody();
  }, 180_000);

  it('removes the custody objects, manifest and backup copy after approval, marks the entry destroyed with the approval record, and the integrity audit stays clean', async () => {
    const no = approved.copy.resultNumber;
    const seq = await auditHeadSeq();
    const since = new Date();

    const requested = await api('POST', `/catalogue/${no}/destruction`, { token: await tokenOf('zhang.wei'), body: { reasons } });
    const again = await api('POST', `/catalogue/${no}/destruction`, { token: await tokenOf('zhang.wei'), body: { reasons } });
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果销毁审批：${approved.name}`, since, timeoutMs: 30_000 });
    const stillThere = await Promise.all(approved.keys.map((k) => exists('custody', k)));
    const decided = await api('POST', `/human-tasks/${taskIdIn(mail)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意销毁' } });
    const done = await round(no, 'destroyed');

    expect(requested.status).toBe(202);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DESTRUCTION_PENDING');
    expect(stillThere.every(Boolean)).toBe(true);
    expect(decided.status).toBe(200);
    expect(done).toMatchObject({ statusLabel: '已销毁', reasons, requestedBy: 'zhang.wei', approval: { decision: 'approve', decidedBy: 'chen.jing', reasons: '同意销毁' } });
    expect(done.removedObjects).toBe(2 * approved.keys.length);
    for (const bucket of ['custody', 'backup']) {
      expect(await Promise.all(approved.keys.map((k) => exists(bucket, k))), bucket).toEqual(approved.keys.map(() => false));
    }
    const entry = await api('GET', `/catalogue/${no}`, { token: await tokenOf('zhang.wei') });
    expect(entry.body.entry).toMatchObject({ resultNumber: no, status: 'destroyed', version: 2 });
    const search = await api('GET', `/catalogue?custodian=440000-CUS&q=${encodeURIComponent(approved.name)}`, { token: await tokenOf('zhang.wei') });
    expect(search.body.items.map((e: { resultNumber: string }) => e.resultNumber)).not.toContain(no);
    const actions = (await auditRecordsSince(seq)).filter((r) => r['target'] === `CAT#${no}`).map((r) => r['action']);
    expect(actions).toEqual(['destruction.request', 'catalogue.entry.destroy', 'destruction.destroyed']);

    const fired = await api('POST', '/local/schedules/WeeklyIntegrityAudit/run');
    const audit = await eventually(
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: String(fired.body.result.executionArn) }));
        return d.status === 'RUNNING' ? undefined : d;
      },
      'the integrity audit to finish',
      60_000,
    );
    expect(audit.status).toBe('SUCCEEDED');
    const reportKey = String((JSON.parse(audit.output ?? '{}') as { report: { reportKey: string } }).report.reportKey);
    const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: localBucketName('documents'), Key: reportKey }))).Body!.transformToString('utf-8')) as {
      problems: Array<{ resultNumber: string }>;
    };
    expect(report.problems.filter((p) => p.resultNumber === no)).toEqual([]);
  }, 120_000);

  it('leaves custody and the entry untouched when the organiser refuses, and emails the requester', async () => {
    const no = refused.copy.resultNumber;
    const since = new Date();

    const requested = await api('POST', `/catalogue/${no}/destruction`, { token: await tokenOf('zhang.wei'), body: { reasons } });
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果销毁审批：${refused.name}`, since, timeoutMs: 30_000 });
    const decided = await api('POST', `/human-tasks/${taskIdIn(mail)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'return', reasons: '该成果仍在使用，不同意销毁' } });
    const done = await round(no, 'refused');
    const told = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果销毁申请未获批准：${no}`, since, timeoutMs: 15_000 });

    expect(requested.status).toBe(202);
    expect(decided.status).toBe(200);
    expect(done).toMatchObject({ statusLabel: '未批准', approval: { decision: 'return', decidedBy: 'chen.jing' } });
    expect(told.text).toContain('该成果仍在使用，不同意销毁');
    for (const bucket of ['custody', 'backup']) {
      expect(await Promise.all(refused.keys.map((k) => exists(bucket, k))), bucket).toEqual(refused.keys.map(() => true));
    }
    const entry = await api('GET', `/catalogue/${no}`, { token: await tokenOf('zhang.wei') });
    expect(entry.body.entry).toMatchObject({ status: 'active', version: 1 });
  }, 120_000);

  it('refuses a destruction request from anyone but the custodian, and a request without reasons', async () => {
    const no = refused.copy.resultNumber;

    const byReviewer = await api('POST', `/catalogue/${no}/destruction`, { token: await tokenOf('chen.jing'), body: { reasons } });
    const short = await api('POST', `/catalogue/${no}/destruction`, { token: await tokenOf('zhang.wei'), body: { reasons: '不需要了' } });

    expect(byReviewer.status).toBe(403);
    expect(short.status).toBe(400);
  });
});
