import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../cli/main.ts';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localBucketName, localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { encodeManifest, type CustodyManifest } from '#shared/custody/manifest.ts';
import { submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { checkResponse } from './response-validator.ts';
import { api, cloud, eventually, waitForEmail } from './helpers.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' }, requestChecksumCalculation: 'WHEN_REQUIRED' });

/** A verified 公开 result of the `valid` fixture, catalogued and copied into custody as the transfer does. */
async function publicResultInCustody(classification: 'public' | 'internal' = 'public'): Promise<{ resultNumber: string; name: string }> {
  const { submissionId, name, since } = await submit('valid', { classification });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `sharing-test-${submissionId}` });
  return { resultNumber, name };
}

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const application = (resultNumber: string) => ({
  results: [{ resultNumber }],
  purpose: '编制全省水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period: { from: today(), to: new Date(Date.now() + 8 * 3600_000 + 90 * 86_400_000).toISOString().slice(0, 10) },
  contact: { name: '罗欣', phone: '020-83331234' },
});

/** The download route without following the redirect (the document names 302), checked against the OpenAPI document. */
async function download(path: string, user: string): Promise<{ status: number; location: string | null; body: unknown }> {
  const res = await fetch(`${cloud.urls.api}${path}`, { headers: { authorization: `Bearer ${await tokenOf(user)}` }, redirect: 'manual' });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  checkResponse('GET', path, res.status, res.headers.get('content-type'), body);
  return { status: res.status, location: res.headers.get('location'), body };
}

async function approvedAndSigned(resultNumber: string, user = 'luo.xin') {
  const since = new Date();
  const applied = await api('POST', '/sharing/applications', { token: await tokenOf(user), body: application(resultNumber) });
  expect(applied.status).toBe(201);
  const applicationId = applied.body.application.applicationId as string;
  const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
  return { applicationId, taskId: taskIdIn(mail), since };
}

describe('R15.1 R16.1 R16.2 R18.1 R19.1 sharing on the local cloud: apply → the organiser’s emailed task → agreement → grant → logged download', () => {
  let result: { resultNumber: string; name: string };
  beforeAll(async () => {
    result = await publicResultInCustody();
  }, 180_000);

  it('approve through the emailed link (20 concurrent decisions → one grant), sign, and download through a 302 whose bytes match the grant’s SHA-256', async () => {
    const { applicationId, taskId, since } = await approvedAndSigned(result.resultNumber);
    const chen = await tokenOf('chen.jing');

    const decisions = await Promise.all(Array.from({ length: 20 }, () => api('POST', `/human-tasks/${taskId}/decision`, { token: chen, body: { decision: 'approve', reasons: '同意共享' } })));
    const grantId = await eventually(
      async () => {
        const r = await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('luo.xin') });
        return r.body.application?.reviews?.[0]?.grantId as string | undefined;
      },
      'the grant',
      30_000,
    );
    // Since this application: other tests on this cloud (the console's) have had 罗欣 sign grants before.
    const signMail = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: '请签署共享使用协议', since, timeoutMs: 30_000 });
    const before = await download(`/sharing/grants/${grantId}/files/1`, 'luo.xin');
    const agreement = await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') });
    const signed = await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: await tokenOf('luo.xin'), body: { sha256: agreement.body.agreement.sha256 } });
    const grant = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') })).body.grant;
    const file = grant.files[0];
    const dl = await download(`/sharing/grants/${grantId}/files/${file.fileNo}`, 'luo.xin');
    const bytes = Buffer.from(await (await fetch(dl.location!)).arrayBuffer());
    const ranged = await fetch(dl.location!, { headers: { range: 'bytes=0-9' } });
    const other = await download(`/sharing/grants/${grantId}/files/1`, 'huang.wei');
    const manifest = await api('GET', `/sharing/grants/${grantId}/manifest`, { token: await tokenOf('luo.xin') });
    const usage = await api('GET', `/sharing/usage/${result.resultNumber}`, { token: await tokenOf('zhang.wei') });

    expect(decisions.map((d) => d.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    expect(signMail.text).toContain(grantId);
    // The grant page of the console on the same site (sign there, download there), no API recipe.
    expect(signMail.text).toContain(`${cloud.urls.api}/console/sharing/grants/${grantId}`);
    expect(signMail.text).not.toMatch(/GET \/|POST \//);
    expect(before.status).toBe(403);
    expect(signed.status).toBe(200);
    expect(signed.body.grant.status).toBe('active');
    expect(dl.status).toBe(302);
    expect(dl.location).toContain('X-Amz-Expires=300');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(0, 10));
    expect(other.status).toBe(404);
    expect(manifest.body).toContain(`${file.sha256}  data/${result.resultNumber}/${file.path}`);
    expect(usage.body.usage.rows).toEqual([expect.objectContaining({ requesterOrg: '440000-WR', downloads: 1, bytes: file.size, distinctUsers: 1 })]);

    // R16.1 the CLI: `chengguo download <grant>` resumes a partial file by Range and checks every SHA-256.
    const out = await mkdtemp(join(tmpdir(), 'chengguo-download-'));
    const partial = join(out, 'data', result.resultNumber, ...file.path.split('/'));
    await mkdir(dirname(partial), { recursive: true });
    await writeFile(`${partial}.part`, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const printed: string[] = [];
    const io = { stdout: { write: (t: string) => printed.push(t) }, stderr: { write: (t: string) => printed.push(t) }, env: {} };
    const code = await main(['download', grantId, '--out', out, '--api', cloud.urls.api, '--token', await tokenOf('luo.xin')], io);
    const again = await main(['download', grantId, '--out', out, '--api', cloud.urls.api, '--token', await tokenOf('luo.xin')], io);
    expect([code, again]).toEqual([0, 0]);
    expect(printed.join('')).toContain('续传');
    expect(printed.join('')).toContain('已有且校验一致');
    for (const f of grant.files as Array<{ resultNumber: string; path: string; sha256: string }>) {
      expect(createHash('sha256').update(await readFile(join(out, 'data', f.resultNumber, ...f.path.split('/')))).digest('hex')).toBe(f.sha256);
    }
    expect(await readFile(join(out, 'manifest-sha256.txt'), 'utf8')).toBe(manifest.body);

    // R18.1 the package carries its purpose: the 用途声明 (documents bucket) is the grant's last file, served by the same 302, in the bag.
    const notice = grant.notice as { fileNo: number; path: string; sha256: string };
    const noticeDl = await download(`/sharing/grants/${grantId}/files/${notice.fileNo}`, 'luo.xin');
    const noticeText = Buffer.from(await (await fetch(noticeDl.location!)).arrayBuffer());
    expect(noticeDl.status).toBe(302);
    expect(createHash('sha256').update(noticeText).digest('hex')).toBe(notice.sha256);
    expect(noticeText.toString('utf8')).toContain(`授权编号：${grantId}`);
    expect(noticeText.toString('utf8')).toContain('不得向第三方提供');
    expect(manifest.body).toContain(`${notice.sha256}  data/用途声明.txt`);
    expect(createHash('sha256').update(await readFile(join(out, 'data', '用途声明.txt'))).digest('hex')).toBe(notice.sha256);

    // R18.1 the grant is not passed on: another organisation's user cannot be named; R19.1 the use report is filed once (another organisation: 404).
    const passOn = await api('POST', `/sharing/grants/${grantId}/users`, { token: await tokenOf('luo.xin'), body: { add: ['huang.wei'] } });
    const report = { application: '叠加土地利用现状，测算各流域用水需求', projects: ['广东省水资源综合规划'], outcomes: '形成用水需求测算成果', problems: '' };
    const foreign = await api('POST', `/sharing/grants/${grantId}/use-reports`, { token: await tokenOf('huang.wei'), body: report });
    const filed = await api('POST', `/sharing/grants/${grantId}/use-reports`, { token: await tokenOf('luo.xin'), body: report });
    const twice = await api('POST', `/sharing/grants/${grantId}/use-reports`, { token: await tokenOf('luo.xin'), body: report });
    expect(passOn.status).toBe(400);
    expect(passOn.body.error.details[0].field).toBe('body.add[0]');
    expect(foreign.status).toBe(404);
    expect(filed.status).toBe(201);
    expect(filed.body.useReport).toMatchObject({ status: 'in', report: { by: 'luo.xin', late: false } });
    expect(twice.status).toBe(409);
  }, 180_000);

  it('R18.2 a derived product of a 内部 source: registered by 黄伟 under his signed grant, the organiser’s emailed 衍生产品保密审查 → 同意发布 → publishable', async () => {
    const internal = await publicResultInCustody('internal');
    const since = new Date();
    const applied = await api('POST', '/sharing/applications', { token: await tokenOf('huang.wei'), body: { ...application(internal.resultNumber), contact: { name: '黄伟', phone: '020-83330000' } } });
    expect(applied.status).toBe(201);
    const applicationId = applied.body.application.applicationId as string;
    const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('huang.wei') })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
    const agreement = await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('huang.wei') });
    expect((await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: await tokenOf('huang.wei'), body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);
    const product = { name: '广州市水域岸线专题图', description: '以共享成果为底图编制的专题图，拟公开', processing: '叠加水域图层、综合概括、删除坐标注记', grantId, sources: [internal.resultNumber] };

    const notHeld = await api('POST', '/sharing/derived-products', { token: await tokenOf('huang.wei'), body: { ...product, sources: [result.resultNumber] } });
    const registered = await api('POST', '/sharing/derived-products', { token: await tokenOf('huang.wei'), body: product });
    const productId = registered.body.product.productId as string;
    const task = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '衍生产品保密审查', since, timeoutMs: 30_000 });
    const decided = await api('POST', `/human-tasks/${taskIdIn(task)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '已作综合概括，同意发布' } });
    const publishable = await eventually(async () => {
      const r = await api('GET', `/sharing/derived-products/${productId}`, { token: await tokenOf('huang.wei') });
      return r.body.product?.publishable ? r.body.product : undefined;
    }, 'the product publishable', 30_000);
    const outcome = await waitForEmail({ to: 'huang.wei@example.gov.cn', subject: '【衍生产品保密审查】', since, timeoutMs: 30_000 });

    expect(notHeld.status).toBe(409);
    expect(notHeld.body.error.code).toBe('SOURCE_NOT_HELD');
    expect(registered.status).toBe(201);
    expect(registered.body.product.reviews[0].status).toBe('pending');
    expect(decided.status).toBe(200);
    expect(publishable).toMatchObject({ status: 'publishable', reviews: [{ status: 'approved', decision: { reasons: '已作综合概括，同意发布' } }] });
    expect(outcome.text).toContain('同意发布');
  }, 240_000);

  it('不予共享 through the emailed link: the requester is emailed the reasons and the timeline keeps them', async () => {
    const { applicationId, taskId, since } = await approvedAndSigned(result.resultNumber);
    const reasons = '申请用途与成果内容不符，请补充说明';

    const decided = await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'return', reasons } });
    const mail = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: `【共享申请未获同意】${applicationId}`, since, timeoutMs: 30_000 });
    const app = (await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('luo.xin') })).body.application;

    expect(decided.status).toBe(200);
    expect(mail.text).toContain(reasons);
    expect(mail.text).toContain(`${cloud.urls.api}/console/sharing/applications/${applicationId}`);
    expect(mail.text).not.toMatch(/GET \/|POST \//);
    expect(app.reviews[0]).toMatchObject({ status: 'rejected', decision: { reasons } });
    expect(app.timeline.map((e: { type: string }) => e.type)).toContain('rejectionEmailed');
  }, 120_000);

  it('a multi-GB custody file downloads through the 302 by Range requests (resumed halfway) and matches its SHA-256', async () => {
    const size = Number(process.env['SHARING_BIG_BYTES'] ?? 2 * 1024 ** 3 + 12345);
    const n = 2;
    const path = 'data/big.bin';
    // The bytes: a deterministic stream, hashed as it is written to custody (a second version of the result, as a transfer writes it).
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
    const hash = createHash('sha256');
    const source = Readable.from((function* () {
      for (let left = size; left > 0; left -= chunk.length) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        hash.update(part);
        yield part;
      }
    })());
    const key = custodyObjectKey(result.resultNumber, n, path);
    await s3.send(new PutObjectCommand({ Bucket: localBucketName('custody'), Key: key, Body: source, ContentLength: size }));
    const sha256 = hash.digest('hex');
    const manifest: CustodyManifest = { resultNumber: result.resultNumber, n, submissionId: 'big-file-test', custodianOrg: '440000-CUS', organiserOrg: '440000-NR', copiedAt: new Date().toISOString(), files: [{ path, key, size, sha256 }] };
    await s3.send(new PutObjectCommand({ Bucket: localBucketName('custody'), Key: custodyManifestKey(result.resultNumber, n), Body: Buffer.from(encodeManifest(manifest)) }));
    const { applicationId, taskId } = await approvedAndSigned(result.resultNumber);
    expect((await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('luo.xin') })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
    const agreement = await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') });
    await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: await tokenOf('luo.xin'), body: { sha256: agreement.body.agreement.sha256 } });

    // First half with one URL; the "resume" asks for a fresh URL and the rest from where it stopped.
    const got = createHash('sha256');
    const half = Math.floor(size / 2);
    let received = 0;
    for (const [from, to] of [[0, half - 1], [half, size - 1]] as const) {
      const dl = await download(`/sharing/grants/${grantId}/files/1`, 'luo.xin');
      expect(dl.status).toBe(302);
      const res = await fetch(dl.location!, { headers: { range: `bytes=${from}-${to}` } });
      expect(res.status).toBe(206);
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        got.update(part);
        received += part.byteLength;
      }
    }

    expect(received).toBe(size);
    expect(got.digest('hex')).toBe(sha256);
  }, 900_000);
});
