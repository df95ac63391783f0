import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localBucketName, localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { decodeManifest } from '#shared/custody/manifest.ts';
import { submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, cloud, eventually, waitForEmail } from './helpers.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A verified 内部 result of the `valid` fixture, catalogued and copied into custody as the transfer does; its custody files. */
async function internalResultInCustody() {
  const { submissionId, name, since } = await submit('valid', { classification: 'internal' });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `sharing-offline-${submissionId}` });
  const manifest = await s3.send(new GetObjectCommand({ Bucket: localBucketName('custody'), Key: custodyManifestKey(resultNumber, 1) }));
  const files = decodeManifest(await manifest.Body!.transformToByteArray()).files;
  return { resultNumber, files };
}

const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const inDays = (d: number) => new Date(Date.now() + 8 * 3600_000 + d * 86_400_000).toISOString().slice(0, 10);

describe('R15.1 R16.2 R17.1 offline sharing on the local cloud: apply → the organiser’s emailed task → approve → letter and 保密协议 → signed scan → hand-over', () => {
  let result: Awaited<ReturnType<typeof internalResultInCustody>>;
  beforeAll(async () => {
    result = await internalResultInCustody();
  }, 180_000);

  it('runs the whole offline chain for a 内部 result through the real handlers, state machine, S3 and mail', async () => {
    const huang = await tokenOf('huang.wei');
    const zhang = await tokenOf('zhang.wei');
    const since = new Date();

    // Apply offline (huang.wei, 广州市规划和自然资源局, 内部 clearance).
    const applied = await api('POST', '/sharing/applications', {
      token: huang,
      body: {
        results: [{ resultNumber: result.resultNumber }],
        purpose: '广州市国土空间总体规划实施评估，叠加现状数据',
        scope: '广州市规划和自然资源局规划处内部使用',
        period: { from: chinaToday(), to: inDays(90) },
        contact: { name: '黄伟', phone: '020-83330000' },
        channel: 'offline',
        offlineReason: '评估工作在涉密内网开展，只能以专用介质离线接收',
      },
    });
    expect(applied.status).toBe(201);
    const applicationId = applied.body.application.applicationId as string;
    expect(applied.body.application).toMatchObject({ channel: 'offline', status: 'reviewing' });

    // The organiser's emailed task, approved through the link.
    const task = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(task)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意离线提供' } })).status).toBe(200);
    const offline = await eventually(
      async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: huang })).body.application?.reviews?.[0]?.offline,
      'the approval letter',
      30_000,
    );
    const custodianMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: '离线共享交接', since, timeoutMs: 30_000 });
    const requesterMail = await waitForEmail({ to: 'huang.wei@example.gov.cn', subject: '离线共享，请到保管单位办理交接', since, timeoutMs: 30_000 });

    const [letter, agreement] = offline.documents as Array<{ docId: string; number: string; sha256: string; href: string; kind: string }>;
    expect([letter!.kind, agreement!.kind]).toEqual(['approvalLetter', 'confidentialityAgreement']);
    expect(custodianMail.subject).toContain(letter!.number);
    // The emails name the letter and link the console's application page (the offline chain), no API route.
    for (const m of [requesterMail, custodianMail]) {
      expect(m.text).toContain(`审批函 ${letter!.number}`);
      expect(m.text).toContain(`${cloud.urls.api}/console/sharing/applications/${applicationId}`);
      expect(m.text).not.toMatch(/GET \/|POST \/|\/documents\/|\/handover/);
    }
    const letterPage = await api('GET', letter!.href, { token: huang });
    const agreementPage = await api('GET', agreement!.href, { token: zhang });
    const outsider = await api('GET', letter!.href, { token: await tokenOf('lin.feng') });
    expect(letterPage.status).toBe(200);
    expect(letterPage.headers.get('content-type')).toContain('text/html');
    expect(sha256(letterPage.body as string)).toBe(letter!.sha256);
    expect(letterPage.body).toContain('成果离线共享审批函');
    expect(letterPage.body).toContain('抄送');
    expect(agreementPage.body).toContain('自然资源调查监测成果保密协议');
    expect(agreementPage.body).toContain('保管要求');
    expect(outsider.status).toBe(404);

    // The hand-over record: no scan yet → 409.
    const files = result.files.map((f) => ({ resultNumber: result.resultNumber, path: f.path, sha256: f.sha256 }));
    const handoverBody = (fs: unknown) => ({
      collector: { name: '黄伟', organisation: '广州市规划和自然资源局', idType: 'residentIdCard', idNumberMasked: '4401**********5678' },
      date: chinaToday(),
      media: { type: 'classifiedUsb', serial: 'GZ-SM-U-0042' },
      files: fs,
    });
    const noScan = await api('POST', `/sharing/applications/${applicationId}/handover`, { token: zhang, body: handoverBody(files) });
    expect(noScan.status).toBe(409);
    expect(noScan.body.error.code).toBe('CONFIDENTIALITY_SCAN_MISSING');

    // The signed scan: declared, then PUT to the presigned URL (write-once: a second PUT is refused).
    const scan = Buffer.from('%PDF-1.7\n% 双方签字盖章的保密协议扫描件\n%%EOF\n');
    const declared = await api('POST', `/sharing/applications/${applicationId}/confidentiality-scan`, { token: huang, body: { sha256: sha256(scan), size: scan.byteLength, contentType: 'application/pdf' } });
    expect(declared.status).toBe(200);
    const put = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: scan });
    const again = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: scan });
    expect(put.status).toBe(200);
    expect(again.status).toBe(412);

    // A file whose SHA-256 on the media differs → 409 naming it; then the right list → recorded.
    const corrupted = await api('POST', `/sharing/applications/${applicationId}/handover`, { token: zhang, body: handoverBody([{ ...files[0], sha256: sha256('bit rot') }, ...files.slice(1)]) });
    expect(corrupted.status).toBe(409);
    expect(corrupted.body.error.code).toBe('CHECKSUM_MISMATCH');
    expect(corrupted.body.error.message).toContain(files[0]!.path);
    const unmasked = await api('POST', `/sharing/applications/${applicationId}/handover`, { token: zhang, body: { ...handoverBody(files), collector: { ...handoverBody(files).collector, idNumberMasked: '440104199001015678' } } });
    expect(unmasked.status).toBe(400);
    expect(JSON.stringify(unmasked.body)).not.toContain('440104199001015678');

    const recorded = await api('POST', `/sharing/applications/${applicationId}/handover`, { token: zhang, body: handoverBody(files) });
    expect(recorded.status).toBe(200);
    const app = recorded.body.application;
    expect(app.status).toBe('handedOver');
    expect(app.reviews[0].offline.scan).toMatchObject({ sha256: sha256(scan), verified: true });
    expect(app.reviews[0].offline.handovers[0]).toMatchObject({ custodianOrg: '440000-CUS', collector: { idNumberMasked: '4401**********5678' }, media: { serial: 'GZ-SM-U-0042' } });
    expect(app.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['submitted', 'offlineRecorded', 'reviewOpened', 'approved', 'documentIssued', 'handoverOpened', 'confidentialityScanDeclared', 'confidentialityScanVerified', 'handedOver']),
    );

    // 期限监督: the R17.1 hand-over clock of the custodian, met by the hand-over.
    const met = await api('GET', '/supervision/clocks?type=R17.1&state=met', { token: zhang });
    expect(met.status).toBe(200);
    expect((met.body.items as Array<{ subject: string }>).map((c) => c.subject)).toContain(`${applicationId}#440000-NR#440000-CUS`);
  }, 240_000);
});
