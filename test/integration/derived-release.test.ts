import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { functionByName } from '#infra/manifest.ts';
import { localPorts } from '#infra/local/ports.ts';
import { compose } from '#runtime/compose.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { record } from './fixture-release.ts';
import { registeredTask, submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, auditHeadSeq, auditRecordsSince, eventually, waitForEmail } from './helpers.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** A package of the task verified through 陈静's emailed technical review (the organiser, 广东省自然资源厅). */
async function verified(taskId: string, name: string, classification: string): Promise<string> {
  const { submissionId, since } = await submit('valid', { name, classification, taskId });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  return submissionId;
}

describe('R18.2 R11.1 R12.1 a derived product released through this system’s publication flow, on the local cloud (issue 17)', () => {
  it('黄伟 registers a product of an 内部 result held under his signed grant; 陈静 同意发布 from the emailed task; 张伟 makes its release version; 刘洋 reviews and approves; PublishRelease releases it and the product shows 本系统公开目录, 黄伟 emailed', async () => {
    const tag = randomBytes(3).toString('hex');
    const taskId = await registeredTask();
    // An 内部 source, catalogued by its custodian and copied into custody (what a grant hands out).
    const sourceSubmission = await verified(taskId, `广东省地表覆盖监测成果 ${tag}`, 'internal');
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
    expect(source.status).toBe(201);
    const n = source.body.entry.resultNumber as string;
    await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId: sourceSubmission, n: 1, resultNumber: n, requestId: `derived-release-${tag}` });

    // The grant: 黄伟 applies, 陈静 approves from the emailed task, 黄伟 signs the agreement.
    const since = new Date();
    const huang = await tokenOf('huang.wei');
    const applied = await api('POST', '/sharing/applications', {
      token: huang,
      body: {
        results: [{ resultNumber: n }],
        purpose: '编制广州市水域岸线专题图，需叠加地表覆盖',
        scope: '广州市规划和自然资源局内部使用',
        period: { from: today(), to: new Date(Date.now() + 8 * 3600_000 + 90 * 86_400_000).toISOString().slice(0, 10) },
        contact: { name: '黄伟', phone: '020-83330000' },
      },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const applicationId = applied.body.application.applicationId as string;
    const shareReview = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(shareReview)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: huang })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
    const agreement = await api('GET', `/sharing/grants/${grantId}`, { token: huang });
    expect((await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: huang, body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);

    // The derived product, reviewed by the organiser (陈静) from the emailed 衍生产品保密审查 task.
    const name = `广州市水域岸线专题图 ${tag}`;
    const registered = await api('POST', '/sharing/derived-products', { token: huang, body: { name, description: '以共享成果为底图编制的专题图，拟在本系统公开', processing: '叠加水域图层、综合概括、删除坐标注记', grantId, sources: [n] } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const productId = registered.body.product.productId as string;
    const zhang = await tokenOf('zhang.wei');
    const pkg = await verified(taskId, `${name}（公开版）`, 'public');
    const early = await api('POST', `/catalogue/${n}/releases`, { token: zhang, body: { submissionId: pkg, classification: 'public', desensitisation: record, derivedProductId: productId } });
    const reviewTask = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `衍生产品保密审查`, since, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(reviewTask)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '已作综合概括，同意发布' } })).status).toBe(200);
    await eventually(async () => ((await api('GET', `/sharing/derived-products/${productId}`, { token: huang })).body.product?.publishable ? true : undefined), 'the product publishable', 30_000);

    // The release version of the product: 张伟 (the source's custodian) from the verified package of the source's task.
    const mark = await auditHeadSeq();
    const created = await api('POST', `/catalogue/${n}/releases`, { token: zhang, body: { submissionId: pkg, classification: 'public', desensitisation: record, derivedProductId: productId } });
    const releaseNumber = `${n}-R1`;
    const pointed = (await api('GET', `/sharing/derived-products/${productId}`, { token: huang })).body.product;
    const listed = await api('GET', `/catalogue/${n}/releases`, { token: zhang });
    const pkg2 = await verified(taskId, `${name}（公开版二）`, 'public');
    const twice = await api('POST', `/catalogue/${n}/releases`, { token: zhang, body: { submissionId: pkg2, classification: 'public', desensitisation: record, derivedProductId: productId } });
    const outside = await api('POST', `/sharing/derived-products/${productId}/publication`, { token: huang, body: { where: 'https://gz.example.gov.cn/map', publishedOn: today() } });

    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('DERIVED_NOT_PUBLISHABLE');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ref = { productId, name, registrantOrg: '440100-NR' };
    expect(created.body.release).toMatchObject({ releaseNumber, derivedProduct: ref });
    expect(created.body.entry).toMatchObject({ name: `${name}（衍生产品公开发布版）`, release: { state: 'pending', derivedProduct: ref } });
    expect(pointed.release).toMatchObject({ releaseNumber, state: 'pending', createdBy: 'zhang.wei' });
    expect(pointed.timeline.map((e: { type: string }) => e.type)).toContain('releaseCreated');
    expect(listed.body.releases).toEqual([expect.objectContaining({ releaseNumber, derivedProduct: ref })]);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('DERIVED_ALREADY_RELEASED');
    expect(outside.status).toBe(409);
    expect(outside.body.error.code).toBe('DERIVED_RELEASED');

    // The publication flow: 张伟 requests; 刘洋 (the organiser's 发布审批人) passes the 保密审查 and approves, each from the emailed task.
    const since2 = new Date();
    const requested = await api('POST', '/publication/requests', { token: zhang, body: { releaseNumber } });
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    expect(requested.body.request.timeline[0].text).toContain(productId);
    const liu = await tokenOf('liu.yang');
    const reviewMail = await waitForEmail({ to: 'liu.yang@example.gov.cn', subject: `发布版本保密审查：${name}`, since: since2, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(reviewMail)}/decision`, { token: liu, body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    const approvalMail = await waitForEmail({ to: 'liu.yang@example.gov.cn', subject: `成果发布审批：${name}`, since: since2, timeoutMs: 30_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(approvalMail)}/decision`, { token: liu, body: { decision: 'approve', reasons: '同意发布' } })).status).toBe(200);

    const published = await eventually(
      async () => {
        const p = (await api('GET', `/sharing/derived-products/${productId}`, { token: huang })).body.product;
        return p?.release?.state === 'released' ? p : undefined;
      },
      `${productId} published through ${releaseNumber}`,
      60_000,
    );
    const mail = await waitForEmail({ to: 'huang.wei@example.gov.cn', subject: `【衍生产品发布】${name}`, since: since2, timeoutMs: 30_000 });
    const entry = (await api('GET', `/catalogue/${releaseNumber}`, { token: zhang })).body.entry;
    const actions = (await auditRecordsSince(mark)).map((r) => r['action']);

    expect(entry.release).toMatchObject({ state: 'released', derivedProduct: ref });
    expect(published.publication).toMatchObject({ where: '本系统公开目录', releaseNumber, recordedBy: 'system:publication', publishedOn: today() });
    expect(published.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['registered', 'approved', 'publishable', 'releaseCreated', 'published']));
    expect(mail.subject).toBe(`【衍生产品发布】${name}：已在本系统公开目录发布`);
    expect(mail.text).toContain(releaseNumber);
    expect(mail.text).toContain(n);
    expect(actions.filter((a) => a === 'publication.release.publish')).toHaveLength(1);
    expect(actions.filter((a) => a === 'sharing.derived.publish')).toHaveLength(1);
  }, 360_000);
});
