/**
 * The custodian's (保管单位) and the administrator's pages of the web console (issue 13) in Debian's Chromium against
 * the local cloud: sign in, do the job, see the result; the API's Chinese message next to the field it names; a 403
 * says what is refused; axe-core on every new page; screenshots at 1366×768 and 1920×1080 with nothing cut off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { api, waitForEmail } from '../integration/helpers.ts';
import { checkPage, closeBrowser, navigate, openBrowser, signedIn } from './console-page-checks.ts';

beforeAll(openBrowser);
afterAll(closeBrowser);

/** A result the organiser approved: verified, not yet catalogued (what the custodian registers). */
async function verifiedSubmission(): Promise<{ submissionId: string; name: string }> {
  const { submissionId, name, since } = await submit('valid');
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  const decided = await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
  expect(decided.status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  return { submissionId, name };
}

/** Upper-case letters for a fresh organisation code suffix (2–8 letters). */
const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');

describe('R9.1 R9.2 R3.1 the custodian’s and the administrator’s pages in the console (工作台)', () => {
  it('custodian zhang.wei: registers a catalogue entry — a bad time point shows the Chinese message by the field, fixed, the number given — edits it (a new version), requests its destruction, sees the receipts and reports pages', async () => {
    const { submissionId, name } = await verifiedSubmission();
    const page = await signedIn('zhang.wei', `custody/entries/new?submissionId=${submissionId}`);
    for (const item of ['成果接收', '成果目录管理', '成果目录上报']) await page.getByRole('menuitem', { name: item }).waitFor();

    expect(await page.getByRole('menuitem', { name: '组织机构' }).count()).toBe(0);
    expect(await page.getByLabel('汇交编号').inputValue()).toBe(submissionId);

    await page.locator('label.el-radio', { hasText: '时段' }).click();
    await page.getByLabel('起始日期').fill('2026-06-30');
    await page.getByLabel('结束日期').fill('2026-01-01');
    await page.getByRole('button', { name: '登记并赋号' }).click();
    const fromError = page.locator('.el-form-item').filter({ has: page.getByLabel('起始日期') }).locator('.el-form-item__error');
    await fromError.waitFor();

    expect(await fromError.innerText()).toBe('时段的起始日期不能晚于结束日期');
    expect(await page.getByTestId('entry-registered').count()).toBe(0);
    await checkPage(page, 'custody-register-entry');

    await page.getByLabel('起始日期').fill('2026-01-01');
    await page.getByLabel('结束日期').fill('2026-06-30');
    await page.getByRole('button', { name: '登记并赋号' }).click();
    await page.getByTestId('entry-registered').waitFor();
    const registered = await page.getByTestId('entry-registered').innerText();
    const resultNumber = /440000-CUS-\d{4}-[A-Z]{2}-\d{6}/.exec(registered)?.[0];

    expect(registered).toContain(name);
    expect(resultNumber).toBeDefined();
    const entry = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    expect(entry.body.entry.timePoint).toEqual({ from: '2026-01-01', to: '2026-06-30' });

    await page.getByRole('menuitem', { name: '成果目录管理' }).click();
    await page.getByLabel('关键词').fill(name.split(' ').slice(-1)[0]!);
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.getByTestId('entries-table').getByRole('row').filter({ hasText: resultNumber! });
    await row.waitFor();
    await checkPage(page, 'custody-entries');

    await row.getByRole('link', { name: '修改' }).click();
    await page.getByLabel('成果内容').fill('工作台修改的成果内容说明');
    await page.getByRole('button', { name: '保存为新版本' }).click();
    const reasonItem = page.locator('.el-form-item').filter({ has: page.getByLabel('修改原因') }).locator('.el-form-item__error');
    await reasonItem.waitFor();

    expect(await reasonItem.innerText()).toBe('请说明修改原因（至少 2 个字）');
    await page.getByLabel('修改原因').fill('补充成果内容');
    await page.getByRole('button', { name: '保存为新版本' }).click();
    await page.getByTestId('entry-updated').getByText('已保存为第 2 版').waitFor();
    expect((await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') })).body.entry).toMatchObject({ version: 2, content: '工作台修改的成果内容说明' });
    await checkPage(page, 'custody-edit-entry');

    await navigate(page, `/console/custody/entries/${resultNumber}/destruction`);
    await page.getByTestId('destruction-none').waitFor();
    await page.getByLabel('销毁理由').fill('太短');
    await page.getByRole('button', { name: '提交销毁申请' }).click();
    const reasonError = page.locator('.el-form-item').filter({ has: page.getByLabel('销毁理由') }).locator('.el-form-item__error');
    await reasonError.waitFor();

    expect(await reasonError.innerText()).toBe('销毁理由至少 10 个字');
    await page.getByLabel('销毁理由').fill('测试用成果已由新版本完全替代，按档案管理办法申请销毁');
    await page.getByRole('button', { name: '提交销毁申请' }).click();
    await page.getByTestId('destruction-state').getByText('待审批').waitFor();
    await checkPage(page, 'custody-destruction');

    await page.getByRole('menuitem', { name: '成果接收' }).click();
    await page.getByTestId('receipts-table').waitFor();
    await checkPage(page, 'custody-receipts');
    await page.getByRole('menuitem', { name: '成果目录上报' }).click();
    await page.getByTestId('reports-table').waitFor();
    await checkPage(page, 'custody-reports');
    await page.context().close();
  }, 240_000);

  it('administrator wang.qiang: creates an organisation (a parent outside the subtree is refused with a 403 said plainly), registers a person in it, runs a bulk import dry run that lists the error row', async () => {
    const page = await signedIn('wang.qiang', 'admin/orgs');
    for (const item of ['组织机构', '人员', '批量开通', '节假日安排']) await page.getByRole('menuitem', { name: item }).waitFor();

    expect(await page.getByRole('menuitem', { name: '成果目录管理' }).count()).toBe(0);
    await page.getByTestId('org-tree').getByText('广东省自然资源厅（440000-NR）').waitFor();
    await page.getByTestId('org-fields').getByText('440000-NR').waitFor();
    await checkPage(page, 'admin-orgs');

    const code = `440000-Q${letters(5)}`;
    const form = page.getByTestId('org-create');
    await form.getByLabel('组织代码').fill(code);
    await form.getByLabel('组织全称').fill(`工作台测试保管单位 ${code}`);
    await form.getByLabel('行政区划').click();
    await form.getByLabel('行政区划').pressSequentially('广东省');
    await page.locator('.el-cascader__suggestion-item').filter({ hasText: /^广东省$/ }).click();
    await form.getByRole('combobox', { name: '类别' }).click({ force: true });
    await page.getByRole('option', { name: '成果保管单位' }).click();
    await form.getByLabel('上级组织').fill('100000-NR');
    await form.getByRole('button', { name: '创建' }).click();
    const note = page.getByTestId('org-create-note');
    await note.waitFor();

    expect(await note.innerText()).toMatch(/^无权办理（403 [A-Z_]+）：.*440000-NR/);
    expect((await api('GET', `/orgs/${code}`, { token: await tokenOf('wang.qiang') })).status).toBe(404);

    await form.getByLabel('上级组织').fill('440000-NR');
    await form.getByRole('button', { name: '创建' }).click();
    await note.getByText(`已创建：工作台测试保管单位 ${code}（${code}）`).waitFor();
    const created = await api('GET', `/orgs/${code}`, { token: await tokenOf('wang.qiang') });
    expect(created.body.organisation).toMatchObject({ parentCode: '440000-NR', type: 'custodian', regionCode: '440000' });

    await navigate(page, '/console/admin/people');
    await page.getByRole('heading', { name: '人员', exact: true }).waitFor();
    await page.getByLabel('组织代码').fill(code);
    await page.getByRole('button', { name: '查看' }).click();
    await page.getByTestId('people-table').getByText('暂无人员').waitFor();
    const userId = `t.${code.slice(8).toLowerCase()}`;
    const person = page.getByTestId('person-create');
    await person.getByLabel('用户名').fill(userId);
    await person.getByLabel('姓名').fill('测试人员');
    await person.getByLabel('邮箱').fill(`${userId}@example.gov.cn`);
    expect(await person.getByLabel('所属单位').inputValue()).toBe(code);
    await person.locator('label.el-checkbox', { hasText: '成果保管人' }).click();
    await person.getByRole('combobox', { name: '新人员的密级权限' }).click({ force: true });
    await page.getByRole('option', { name: '内部' }).click();
    await person.getByRole('button', { name: '登记' }).click();
    await page.getByTestId('person-create-note').getByText(`已登记：测试人员（${userId}）`).waitFor();
    await page.getByTestId('people-table').getByText(userId, { exact: true }).waitFor();
    const people = await api('GET', `/orgs/${code}/users`, { token: await tokenOf('wang.qiang') });
    expect(people.body.items).toEqual([expect.objectContaining({ userId, roles: ['custodian'], clearance: 'internal' })]);
    await checkPage(page, 'admin-people');

    await page.getByRole('menuitem', { name: '批量开通' }).click();
    await page.locator('label.el-radio', { hasText: 'CSV（两个文件）' }).click();
    const csv = '用户名,姓名,邮箱,组织代码,角色,密级权限,外部身份标识\n' + `${userId}.b,另一人员,not-an-email,${code},成果保管人,内部,\n`;
    await page.getByLabel('“人员”表 CSV').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.getByRole('button', { name: '试运行' }).click();
    const issues = page.getByTestId('import-issues');
    await issues.waitFor();
    const issueRow = issues.getByRole('row').filter({ hasText: '邮箱' });

    expect(await issueRow.innerText()).toMatch(/人员\s+2\s+邮箱\s+\S+/);
    expect(await page.getByRole('button', { name: '写入' }).isDisabled()).toBe(true);
    expect((await api('GET', `/orgs/${code}/users`, { token: await tokenOf('wang.qiang') })).body.items).toHaveLength(1);
    await checkPage(page, 'admin-import');

    await page.getByRole('menuitem', { name: '节假日安排' }).click();
    await page.getByTestId('calendar-years').getByText(/已载入通知|暂定/).first().waitFor();
    await checkPage(page, 'admin-calendar');
    await page.context().close();
  }, 240_000);
});
