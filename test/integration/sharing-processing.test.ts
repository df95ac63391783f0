import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { submit, taskIdIn, tokenOf, versionStatus } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { checkResponse } from './response-validator.ts';
import { api, cloud, ddb, eventually, listEmails, waitForEmail } from './helpers.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

/** A verified 公开 result of the `valid` fixture, catalogued and copied into custody as the transfer does. */
async function publicResultInCustody(): Promise<{ resultNumber: string; name: string }> {
  const { submissionId, name, since } = await submit('valid', { classification: 'public' });
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  const resultNumber = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId, n: 1, resultNumber, requestId: `processing-test-${submissionId}` });
  return { resultNumber, name };
}

const chinaDay = (plusDays = 0) => new Date(Date.now() + 8 * 3600_000 + plusDays * 86_400_000).toISOString().slice(0, 10);
const application = (resultNumber: string, extra: Record<string, unknown> = {}) => ({
  results: [{ resultNumber }],
  purpose: '编制从化区水资源综合规划，需叠加土地利用现状',
  scope: '广东省水利厅规划计划处内部使用',
  period: { from: chinaDay(), to: chinaDay(90) },
  contact: { name: '罗欣', phone: '020-83331234' },
  ...extra,
});

/** Applied by 罗欣, approved through the emailed task with the given conditions, signed: the grant id. */
async function signedGrant(resultNumber: string, extra: Record<string, unknown>, conditions?: Record<string, unknown>): Promise<{ applicationId: string; grantId: string }> {
  const since = new Date();
  const applied = await api('POST', '/sharing/applications', { token: await tokenOf('luo.xin'), body: application(resultNumber, extra) });
  expect(applied.status).toBe(201);
  const applicationId = applied.body.application.applicationId as string;
  const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: '成果共享审核', since, timeoutMs: 30_000 });
  const taskId = taskIdIn(mail);
  if (conditions?.['processing']) {
    // The organiser must answer the processing explicitly (R13.1): an approval without it is refused, naming the field.
    const silent = await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
    expect(silent.status).toBe(400);
    expect(silent.body.error.details[0].field).toBe('body.conditions.processing');
  }
  expect((await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '同意', ...(conditions ? { conditions } : {}) } })).status).toBe(200);
  const grantId = await eventually(async () => (await api('GET', `/sharing/applications/${applicationId}`, { token: await tokenOf('luo.xin') })).body.application?.reviews?.[0]?.grantId as string | undefined, 'the grant', 30_000);
  const agreement = await api('GET', `/sharing/grants/${grantId}`, { token: await tokenOf('luo.xin') });
  expect((await api('POST', `/sharing/grants/${grantId}/agreement/signature`, { token: await tokenOf('luo.xin'), body: { sha256: agreement.body.agreement.sha256 } })).status).toBe(200);
  return { applicationId, grantId };
}

describe('R13.1 R16.1 processing on request and the sharing log on the local cloud', () => {
  let result: { resultNumber: string; name: string };
  beforeAll(async () => {
    result = await publicResultInCustody();
  }, 180_000);

  it('R13.1 consent in the emailed task → the custodian proposes, the requester accepts, the product is uploaded by presigned PUT and delivered: downloaded through the 302 with its SHA-256, in the BagIt manifest; R16.1 the view, manifest and signature are lines of the sharing log', async () => {
    const since = new Date();
    const { grantId } = await signedGrant(result.resultNumber, { processing: { kinds: ['clip'], spec: '按从化区行政界线裁切，GeoPackage 格式' } }, { processing: 'consent' });
    const path = `/sharing/grants/${grantId}`;
    const product = Buffer.from(`从化区裁切成果 ${grantId}`.repeat(200), 'utf8');
    const sha256 = createHash('sha256').update(product).digest('hex');

    const proposed = await api('POST', `${path}/processing/proposal`, { token: await tokenOf('zhang.wei'), body: { what: '从化区地类图斑 GeoPackage', doneBy: '数据处 张伟', due: chinaDay(20) } });
    const proposalMail = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: `【按需加工方案待确认】${grantId}`, since, timeoutMs: 30_000 });
    const accepted = await api('POST', `${path}/processing/acceptance`, { token: await tokenOf('luo.xin') });
    const acceptedMail = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `【按需加工方案已确认】${grantId}`, since, timeoutMs: 30_000 });
    const declared = await api('POST', `${path}/processing/upload`, { token: await tokenOf('zhang.wei'), body: { name: 'conghua-clip.gpkg', sha256, size: product.length } });
    const put = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: product });
    const delivered = await api('POST', `${path}/processing/delivery`, { token: await tokenOf('zhang.wei') });
    const deliveredMail = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: `【加工成果已交付】${grantId}`, since, timeoutMs: 30_000 });
    const fileNo = delivered.body.grant.processing.delivery.fileNo as number;
    const res = await fetch(`${cloud.urls.api}${path}/files/${fileNo}`, { headers: { authorization: `Bearer ${await tokenOf('luo.xin')}` }, redirect: 'manual' });
    checkResponse('GET', `${path}/files/${fileNo}`, res.status, res.headers.get('content-type'), undefined);
    const bytes = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
    const manifest = await api('GET', `${path}/manifest`, { token: await tokenOf('luo.xin') });
    const clocks = await api('GET', '/supervision/clocks?type=R13.1&state=met', { token: await tokenOf('zhang.wei') });
    const log = await ddb.send(new QueryCommand({ TableName: cloud.tables.logs, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SHARELOG#${grantId}` } }));

    expect([proposed.status, accepted.status, declared.status, put.status, delivered.status]).toEqual([200, 200, 200, 200, 200]);
    expect(proposalMail.text).toContain('从化区地类图斑 GeoPackage');
    expect(acceptedMail.text).toContain('交付');
    expect(deliveredMail.text).toContain(sha256);
    for (const m of [proposalMail, acceptedMail, deliveredMail]) {
      expect(m.text).toContain(`${cloud.urls.api}/console/sharing/grants/${grantId}`);
      expect(m.text).not.toMatch(/GET \/|POST \//);
    }
    expect(res.status).toBe(302);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(manifest.body).toContain(`${sha256}  data/${result.resultNumber}/加工成果/conghua-clip.gpkg`);
    // The clock ran from the acceptance to the delivery (met); supervision lists it by its type.
    expect(clocks.status).toBe(200);
    expect(clocks.body.items).toContainEqual(expect.objectContaining({ type: 'R13.1', subject: grantId, due: chinaDay(20) }));
    const lines = (log.Items ?? []) as Array<{ call?: string; path?: string; userId: string; sourceIp: string; applicationId: string }>;
    expect(lines.filter((l) => l.call).map((l) => l.call).sort()).toEqual(['agreement.sign', 'manifest', 'view']);
    expect(lines.filter((l) => !l.call).map((l) => l.path)).toEqual(['加工成果/conghua-clip.gpkg']);
    for (const l of lines) {
      expect(l.userId).toBe('luo.xin');
      expect(l.sourceIp).not.toBe('unknown');
    }
  }, 240_000);

  it('R16.1 active push through the real stream: a new catalogue version of a subscribed result emails the grant’s requester once', async () => {
    const { grantId } = await signedGrant(result.resultNumber, {});
    const subscribed = await api('POST', `/sharing/grants/${grantId}/subscription`, { token: await tokenOf('luo.xin') });
    const entry = (await api('GET', `/catalogue/${result.resultNumber}`, { token: await tokenOf('zhang.wei') })).body.entry;
    const since = new Date();

    const edited = await api('PATCH', `/catalogue/${result.resultNumber}`, { token: await tokenOf('zhang.wei'), body: { content: `${entry.content}（补充说明 ${grantId.slice(0, 8)}）`, reason: '补充成果内容说明', expectedVersion: entry.version } });
    const version = edited.body.entry.version as number;
    const subject = `第 ${version} 版）`;
    const push = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: '【成果新版本推送】', since, timeoutMs: 60_000 });
    // The stream's batching window is 5 s and a retried batch pushes no one twice: wait two windows, count.
    await new Promise((r) => setTimeout(r, 12_000));
    const pushes = (await listEmails()).filter((m) => m.to.some((t) => t.address === 'luo.xin@example.gov.cn') && m.subject.includes(result.resultNumber) && m.subject.includes(subject) && new Date(m.time).getTime() >= Math.floor(since.getTime() / 1000) * 1000);

    expect(subscribed.status).toBe(200);
    expect(edited.status).toBe(200);
    expect(push.subject).toContain(`${result.resultNumber} ${subject}`);
    // The console's apply page (and the original application), not the API recipe POST …/reapplication.
    expect(push.text).toContain(`${cloud.urls.api}/console/sharing/apply`);
    expect(push.text).not.toMatch(/GET \/|POST \/|reapplication/);
    // One per grant × result × version: the earlier grants of this result in this file were not subscribed.
    expect(pushes).toHaveLength(1);
  }, 240_000);
});
