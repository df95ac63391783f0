/**
 * Issue 13's lists in Debian's Chromium against the local cloud: the publication requests of my organisation (R11.1,
 * R12.1), a custodian's quality problems across its results (R19.2) and a unit's own self-inspections (R20.1). Each
 * list is read in the page and checked against its API route; filters, the empty state that says what to do, a 403
 * that says what is missing; axe-core and the layout at 1366×768 and 1920×1080 (console-page-checks.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { registeredRelease } from '../integration/fixture-release.ts';
import { fixtureFiles, registeredTask, tokenOf, verifiedResult } from '../integration/fixture-submission.ts';
import { testPortBase } from '../integration/global-setup.ts';
import { api } from '../integration/helpers.ts';
import { checkPage, closeBrowser, openBrowser, signedIn } from './console-page-checks.ts';

Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
const tag = randomBytes(3).toString('hex');

/** An 内部 source result of 广东省 (catalogued by zhang.wei, copied into custody as the transfer does) and its 公开 release version. */
let source = '';
let releaseNumber = '';
beforeAll(async () => {
  await openBrowser();
  const taskId = await registeredTask();
  const sourceSubmission = await verifiedResult({ name: `广东省地表覆盖监测成果 ${tag}`, classification: 'internal', taskId });
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
  expect(entry.status).toBe(201);
  source = String(entry.body.entry.resultNumber);
  await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId: sourceSubmission, n: 1, resultNumber: source, requestId: `console-lists-${sourceSubmission}` });
  const pkg = await verifiedResult({ name: `广东省地表覆盖监测成果（公开版）${tag}`, classification: 'public', taskId });
  releaseNumber = await registeredRelease(source, pkg);
}, 300_000);
afterAll(closeBrowser);

describe('R11.1 R12.1 issue 13 the publication requests list: the requests my organisation prepared, must review, must approve — status, step, deadline, filter', () => {
  it('liu.yang sees the request he made with 保密审查中 and its R11.1 deadline; on 待本单位保密审查的 it waits for his organisation; a status with none says how to widen the filter', async () => {
    const made = await api('POST', '/publication/requests', { token: await tokenOf('liu.yang'), body: { releaseNumber } });
    expect(made.status).toBe(202);
    const requestId = String(made.body.request.requestId);
    const listed = await api('GET', '/publication/requests?side=review&limit=100', { token: await tokenOf('liu.yang') });
    const mine = listed.body.items.find((i: { requestId: string }) => i.requestId === requestId);
    expect(mine).toMatchObject({ status: 'review', awaitingMe: true, deadline: { type: 'R11.1', overdue: false } });

    const page = await signedIn('liu.yang', 'publication/requests');
    const row = page.getByTestId('publication-requests').getByRole('row').filter({ hasText: requestId });
    await row.waitFor();
    expect(await row.innerText()).toContain('保密审查中');
    expect(await row.innerText()).toContain(`R11.1 ${mine.deadline.due}`);
    expect(await row.innerText()).toContain(`${mine.deadline.workingDaysLeft} 个工作日`);
    await checkPage(page, 'publication-request-list');

    await page.locator('label.el-radio-button', { hasText: '待本单位保密审查的' }).click();
    await row.getByText('待本单位办理').waitFor();
    await page.getByRole('combobox', { name: '状态' }).click({ force: true });
    await page.getByRole('option', { name: '不予发布' }).click();
    await page.getByTestId('publication-requests').getByText('没有“不予发布”的申请，可清除状态筛选后再查询').waitFor();
    const refused = await api('GET', '/publication/requests?side=review&status=refused', { token: await tokenOf('liu.yang') });
    expect(refused.body.items).toEqual([]);
    await checkPage(page, 'publication-request-list-empty');
    await row.waitFor({ state: 'detached' });
    await page.context().close();
  }, 180_000);
});

describe('R19.2 issue 13 a custodian\'s quality problems across its results: no result number needed; the R19.2 deadline with the working days left; filters', () => {
  it('zhang.wei (the custodian, who needs no grant: R19.2) reports a problem on the source; zhang.wei finds it on 质量问题处理 with 待保管单位确认 and its deadline; 重大 filters it out; chen.jing has it not yet to verify', async () => {
    const file = [...(await fixtureFiles('valid')).keys()][0]!;
    // A requester reports only on a result its organisation holds a grant for (403 NO_GRANT); the custodian on its own.
    const reported = await api('POST', '/feedback/problems', {
      token: await tokenOf('zhang.wei'),
      body: { resultNumber: source, file, location: { featureIds: ['F-7'] }, description: `要素 F-7 的地类与实地不符 ${tag}`, severity: '一般' },
    });
    expect(reported.status).toBe(201);
    const problemId = String(reported.body.problem.problemId);
    const listed = await api('GET', `/feedback/problems?result=${source}`, { token: await tokenOf('zhang.wei') });
    const mine = listed.body.problems.find((p: { problemId: string }) => p.problemId === problemId);
    expect(mine).toMatchObject({ state: 'reported', overdue: false });

    const page = await signedIn('zhang.wei', 'feedback/problems');
    const row = page.getByTestId('problems-table').getByRole('row').filter({ hasText: problemId });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('待保管单位确认');
    expect(text).toContain(source);
    expect(text).toContain(`${mine.decisionDue}`);
    expect(text).toContain(`${mine.workingDaysLeft} 个工作日`);
    await checkPage(page, 'feedback-problem-list');
    await page.getByRole('combobox', { name: '程度' }).click({ force: true });
    await page.getByRole('option', { name: '重大' }).click();
    await row.waitFor({ state: 'detached' });
    await page.context().close();

    const organiser = await signedIn('chen.jing', `feedback/problems?result=${source}`);
    await organiser.getByTestId('problems-table').getByText('没有符合筛选条件的质量问题，可清除筛选后再查询').waitFor();
    await checkPage(organiser, 'feedback-problem-list-organiser');
    await organiser.context().close();
  }, 180_000);
});

describe('R20.1 issue 13 a unit\'s own past self-inspections: its filings, each rectification with its clock; closed from the list; a unit that files none is told why', () => {
  it('zhang.wei files 2026-Q3 with a rectification; 本单位自查记录 shows it with the working days left, he closes it there; huang.wei (市局) gets the 403 that says what is missing', async () => {
    const item = `更换涉密介质柜门锁 ${tag}`;
    const filed = await api('POST', '/supervision/self-inspections', {
      token: await tokenOf('zhang.wei'),
      body: {
        period: '2026-Q3',
        checklist: { storage: { ok: false, note: '介质柜门锁损坏' }, access: { ok: true }, media: { ok: true }, training: { ok: true } },
        findings: '介质柜门锁损坏',
        rectifications: [{ item, owner: '张伟', due: inDays(30) }],
      },
    });
    expect([200, 201]).toContain(filed.status);
    const own = await api('GET', '/supervision/self-inspections/own', { token: await tokenOf('zhang.wei') });
    const q3 = own.body.items.find((i: { period: string }) => i.period === '2026-Q3');
    expect(q3).toBeDefined();
    const rect = q3.rectifications.find((r: { item: string }) => r.item === item);
    expect(rect).toMatchObject({ state: 'open', overdue: false });

    const page = await signedIn('zhang.wei', 'self-inspections/own');
    for (const menu of ['本单位自查记录', '保密自查填报']) await page.getByRole('menuitem', { name: menu, exact: true }).waitFor();
    const row = page.getByTestId('own-self-inspections').getByRole('row').filter({ hasText: item });
    await row.waitFor();
    expect(await row.innerText()).toContain(`${rect.workingDaysLeft} 个工作日`);
    expect(await page.getByTestId('own-current').innerText()).toContain(own.body.current.statusLabel);
    await checkPage(page, 'own-self-inspections');
    await row.getByRole('button', { name: /^查看 / }).click();
    await page.getByLabel(`整改情况 ${item}`).fill('门锁已更换，钥匙专人保管');
    await page.getByRole('button', { name: `关闭整改事项 ${item}` }).click();
    await page.getByTestId('rectifications').getByText('已整改：门锁已更换，钥匙专人保管').waitFor();
    await row.getByText('已整改').waitFor();
    await checkPage(page, 'own-self-inspections-closed');
    const after = await api('GET', '/supervision/self-inspections/own', { token: await tokenOf('zhang.wei') });
    expect(after.body.items.find((i: { period: string }) => i.period === '2026-Q3').rectifications.find((r: { item: string }) => r.item === item)).toMatchObject({ state: 'closed', closedBy: 'zhang.wei' });
    await page.context().close();

    const cityBureau = await signedIn('huang.wei', 'self-inspections/own');
    await cityBureau.getByTestId('api-problem').getByText('无权查看本单位的保密自查记录').waitFor();
    expect(await cityBureau.getByTestId('api-problem').innerText()).toContain('只有成果保管单位和需求部门填报保密自查报告');
    await checkPage(cityBureau, 'own-self-inspections-forbidden');
    await cityBureau.context().close();
  }, 180_000);
});
