/**
 * R13.1 processing on request in the console (the grant page's 按需加工 panel), in Debian's Chromium against the local
 * cloud: 张伟 (custodian) proposes — a too short 加工内容 is refused next to the field — 罗欣 accepts, 张伟 picks the
 * product file, the page computes its SHA-256, PUTs it to the presigned URL and delivers it; the product is then listed
 * among the grant's files with the SHA-256 the page computed. axe-core and the layout at 1366×768 and 1920×1080 on every
 * step (console-page-checks.ts); each outcome checked against the API.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { submit, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { testPortBase } from '../integration/global-setup.ts';
import { api, eventually, waitForEmail } from '../integration/helpers.ts';
import { checkPage, closeBrowser, openBrowser, signedIn } from './console-page-checks.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const fieldError = (page: Page, label: string) => page.locator('.el-form-item').filter({ has: page.getByLabel(label, { exact: true }) }).locator('.el-form-item__error');
const chinaDay = (plusDays = 0) => new Date(Date.now() + plusDays * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

/** A verified 公开 result, catalogued by zhang.wei (440000-CUS) and copied into custody as the transfer does. */
async function resultInCustody(): Promise<string> {
  const { submissionId, name, since } = await submit('valid', { classification: 'public' });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `console-processing-${submissionId}` });
  return resultNumber;
}

/** 罗欣 applies with processing; 陈静 approves and consents to it through the emailed task; 罗欣 signs: the grant id. */
async function grantWithProcessing(resultNumber: string): Promise<string> {
  const since = new Date();
  const luo = await tokenOf('luo.xin');
  const applied = await api('POST', '/sharing/applications', {
    token: luo,
    body: {
      results: [{ resultNumber }],
      purpose: '编制从化区水资源综合规划，需叠加土地利用现状',
      scope: '广东省水利厅规划计划处内部使用',
      period: { from: chinaDay(), to: chinaDay(90) },
      contact: { name: '罗欣', phone: '020-83331234' },
      processing: { kinds: ['clip'], spec: '按从化区行政界线裁切，GeoPackage 格式' },
    },
  });
  expect(applied.status).toBe(201);
  const applicationId = String(applied.body.application.applicationId);
  const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
  const taskId = taskIdIn(mail);
  await eventually(async () => ((await api('GET', `/human-tasks/${taskId}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'the review task open', 30_000);
  expect((await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意', conditions: { processing: 'consent' } } })).status).toBe(200);
  const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: luo })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
  const agreement = (await api('GET', `/sharing/grants/${grantId}`, { token: luo })).body.agreement;
  expect((await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: luo, body: { sha256: agreement.sha256 } })).status).toBe(200);
  return grantId;
}

let resultNumber = '';
beforeAll(async () => {
  await openBrowser();
  resultNumber = await resultInCustody();
}, 240_000);
afterAll(closeBrowser);

describe('R13.1 processing on request in the console: propose → accept → upload with the SHA-256 computed in the page → deliver', () => {
  it('zhang.wei proposes (a short 加工内容 refused next to the field), luo.xin accepts, zhang.wei uploads and delivers; the product is listed among the grant files with the page-computed SHA-256 (API agrees)', async () => {
    // prepare
    const grantId = await grantWithProcessing(resultNumber);
    const path = `sharing/grants/${encodeURIComponent(grantId)}`;
    const product = Buffer.from(`从化区裁切成果 ${grantId}\n`.repeat(300), 'utf8');
    const sha256 = createHash('sha256').update(product).digest('hex');
    const before = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('zhang.wei') })).body.grant.processing;
    const badBody = { what: '裁切', doneBy: '数据处 张伟', due: chinaDay(20) };
    const refusedByApi = await api('POST', `/sharing/grants/${grantId}/processing/proposal`, { token: await tokenOf('zhang.wei'), body: badBody });

    // act 1: the custodian proposes, first with too short a content
    const zhang = await signedIn('zhang.wei', path);
    const panel = zhang.getByTestId('processing');
    await panel.waitFor();
    const statusBefore = await zhang.getByTestId('processing-status').innerText();
    await checkPage(zhang, 'sharing-processing-custodian');
    await zhang.getByLabel('加工内容', { exact: true }).fill('裁切');
    await zhang.getByLabel('承担者', { exact: true }).fill('数据处 张伟');
    await zhang.getByLabel('交付日期', { exact: true }).fill(chinaDay(20));
    await zhang.getByRole('button', { name: '提出加工方案' }).click();
    const whatError = fieldError(zhang, '加工内容');
    await whatError.waitFor();
    const refusedText = await whatError.innerText();
    await checkPage(zhang, 'sharing-processing-refused');
    await zhang.getByLabel('加工内容', { exact: true }).fill('从化区地类图斑 GeoPackage');
    await zhang.getByRole('button', { name: '提出加工方案' }).click();
    await zhang.getByText('从化区地类图斑 GeoPackage；承担者 数据处 张伟').waitFor();
    const afterProposal = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('zhang.wei') })).body.grant.processing;

    // act 2: the requester accepts
    const luo = await signedIn('luo.xin', path);
    await luo.getByTestId('processing-accept').waitFor();
    await checkPage(luo, 'sharing-processing-requester');
    await luo.getByTestId('processing-accept').click();
    await luo.getByText('申请单位确认').waitFor();
    const afterAcceptance = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') })).body.grant.processing;

    // act 3: the custodian uploads (SHA-256 in the page, presigned PUT) and delivers
    const zhang2 = await signedIn('zhang.wei', path);
    await zhang2.getByText('申请单位确认').waitFor();
    const deliveryShown = await zhang2.getByTestId('processing-delivery').isVisible();
    const statusNow = await zhang2.getByTestId('processing-status').innerText();
    expect(deliveryShown).toBe(true);
    expect(statusNow).toBe(afterAcceptance.statusLabel);
    await zhang2.getByTestId('processing-file').setInputFiles({ name: 'conghua-clip.gpkg', mimeType: 'application/geopackage+sqlite3', buffer: product });
    await checkPage(zhang2, 'sharing-processing-delivery');
    await zhang2.getByRole('button', { name: '上传并交付' }).click();
    await zhang2.getByTestId('grant-files').getByText('conghua-clip.gpkg').waitFor({ timeout: 60_000 });
    await checkPage(zhang2, 'sharing-processing-delivered');
    const grant = (await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') })).body.grant;

    // assess
    expect(statusBefore).toBe(before.statusLabel);
    expect(refusedByApi.status).toBe(400);
    expect(refusedText).toBe(refusedByApi.body.error.details.find((d: { field: string }) => d.field === 'body.what').message);
    expect(afterProposal).toMatchObject({ proposal: { what: '从化区地类图斑 GeoPackage', doneBy: '数据处 张伟', due: chinaDay(20) } });
    expect(afterProposal.acceptance).toBeUndefined();
    expect(afterAcceptance).toMatchObject({ acceptance: { by: 'luo.xin' } });
    expect(grant.processing).toMatchObject({ upload: { name: 'conghua-clip.gpkg', sha256, size: product.length }, delivery: { by: 'zhang.wei' } });
    const listed = grant.files.find((f: { fileNo: number }) => f.fileNo === grant.processing.delivery.fileNo);
    expect(listed).toMatchObject({ sha256, size: product.length, processed: true });
    expect(listed.path).toContain('conghua-clip.gpkg');
  }, 300_000);
});
