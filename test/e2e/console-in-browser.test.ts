/**
 * The web console (工作台, issue 13) in Debian's Chromium against the local cloud: each role's main path —
 * sign in (authorization code + PKCE through the local issuer), do the job, see the result; the API's
 * Chinese message next to the field it names; a 403 and a 404 each a page saying what is missing; axe-core
 * on every main page with no serious or critical violation; screenshots at 1366×768 and 1920×1080 with no
 * horizontal overflow and no text cut off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cataloguedValidResult, submit, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { api, cloud, waitForEmail } from '../integration/helpers.ts';
import { checkPage, closeBrowser, consoleUrl, navigate, openBrowser, signedIn } from './console-page-checks.ts';

beforeAll(openBrowser);
afterAll(closeBrowser);

describe('R7.1 R6.1 R13.2 R9.2 R5.1 the web console (工作台) in the browser, per role', () => {
  it('organiser chen.jing: signs in, sees the review task in 待办 with its deadline, opens it, approves; the submission is verified', async () => {
    const { submissionId, name, since } = await submit('valid');
    const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
    await versionStatus(submissionId, 1, ['awaitingReview']);
    const taskId = taskIdIn(mail);

    const page = await signedIn('chen.jing');
    const row = page.getByTestId('todo-table').getByRole('row').filter({ hasText: name });
    await row.waitFor();
    const rowText = await row.innerText();

    expect(rowText).toContain('技术审核');
    expect(rowText).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(rowText).toMatch(/\d+ 个工作日/);
    await checkPage(page, 'todo');

    await row.getByRole('link').click();
    await page.waitForURL(consoleUrl(`tasks/${taskId}`));
    await page.getByRole('heading', { name: `成果技术审核：${name}` }).waitFor();
    await checkPage(page, 'task');
    // A return needs its reasons: the API's message stands next to the field.
    await page.locator('label.el-radio-button', { hasText: '退回' }).click();
    await page.getByRole('button', { name: '提交决定' }).click();
    await page.locator('.el-form-item__error').first().waitFor();
    expect(await page.locator('.el-form-item__error').first().innerText()).toMatch(/理由/);
    await page.locator('label.el-radio-button', { hasText: '通过' }).click();
    await page.getByRole('button', { name: '提交决定' }).click();
    await page.getByText(/已决定：通过（chen\.jing，/).waitFor();

    await versionStatus(submissionId, 1, ['verified']);
    await page.context().close();
  }, 180_000);

  it('organiser chen.jing: registers a survey task — the API’s message next to the field, the R13.2 overlap warning before saving — and sees it with its R6.1 clock', async () => {
    const { name: existing, resultNumber } = await cataloguedValidResult();
    const page = await signedIn('chen.jing', 'survey-tasks/new');

    await page.getByRole('button', { name: '登记' }).click();
    const nameItem = page.locator('.el-form-item').filter({ has: page.getByLabel('任务名称') });
    await nameItem.locator('.el-form-item__error').waitFor();

    expect(await nameItem.locator('.el-form-item__error').innerText()).toBe('任务名称至少 2 个字');

    const taskName = `工作台登记的任务 ${Date.now()}`;
    await page.getByLabel('任务名称').fill(taskName);
    // Element Plus lays its placeholder over the select's input: the click lands on the select, as a person's does.
    await page.getByRole('combobox', { name: '专题' }).click({ force: true });
    await page.getByRole('option', { name: '国土调查' }).click();
    await page.getByLabel('调查区域').click();
    await page.getByLabel('调查区域').pressSequentially('广东省');
    await page.locator('.el-cascader__suggestion-item').filter({ hasText: /^广东省$/ }).click();
    const warning = page.getByTestId('overlap-warning');
    await warning.getByText(resultNumber).waitFor();

    expect(await warning.innerText()).toContain(existing);
    await checkPage(page, 'register-task');

    await page.getByLabel('实施单位').fill('440000-IMP');
    await page.getByLabel('保管单位').fill('440000-XXX');
    await page.getByRole('button', { name: '登记' }).click();
    const custodianError = page.locator('.el-form-item').filter({ has: page.getByLabel('保管单位') }).locator('.el-form-item__error');
    await custodianError.waitFor();

    expect(await custodianError.innerText()).toMatch(/保管/);

    await page.getByLabel('保管单位').fill('440000-CUS');
    await page.getByRole('button', { name: '登记' }).click();
    await page.getByTestId('registered').waitFor();

    expect(await page.getByTestId('registered').innerText()).toContain('已有成果可共享');
    await page.getByRole('menuitem', { name: '调查监测任务', exact: true }).click();
    await page.getByTestId('survey-tasks-table').getByText(taskName).waitFor();
    await checkPage(page, 'survey-tasks');
    await page.context().close();
  }, 180_000);

  it('survey unit li.na: sees the task with its R6.1 deadline and working days left; the registration page is refused with what is missing', async () => {
    const token = await tokenOf('chen.jing');
    const taskName = `工作台期限测试 ${Date.now()}`;
    const created = await api('POST', '/survey-tasks', { token, body: { name: taskName, theme: 'forest', regionCode: '440100', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' } });
    expect(created.status).toBe(201);
    const done = await api('PUT', `/survey-tasks/${created.body.task.taskId}/completion`, { token: await tokenOf('li.na'), body: { completionDate: '2026-11-20' } });
    expect(done.status).toBe(200);
    const due = String(done.body.task.deadline.due);

    const page = await signedIn('li.na', 'survey-tasks');
    const row = page.getByTestId('survey-tasks-table').getByRole('row').filter({ hasText: taskName });
    await row.waitFor();

    expect(await row.innerText()).toContain(due);
    expect(await row.innerText()).toMatch(/剩余 \d+ 个工作日|逾期 \d+ 个工作日/);
    expect(await page.getByRole('menuitem', { name: '登记调查监测任务' }).count()).toBe(0);

    await navigate(page, '/console/survey-tasks/new');
    await page.getByRole('alert').getByText('无权访问', { exact: true }).waitFor();

    expect(await page.getByRole('alert').innerText()).toContain('审核人（reviewer）');
    await page.context().close();
  }, 180_000);

  it('custodian zhang.wei: searches the catalogue by keyword, opens the result: fields, versions, timeline, custody state; a missing result is a page saying so', async () => {
    const { name, resultNumber } = await cataloguedValidResult();
    const page = await signedIn('zhang.wei', 'catalogue');

    await page.getByLabel('关键词').fill(name.split(' ').slice(-1)[0]!);
    await page.getByRole('button', { name: '检索' }).click();
    const row = page.getByTestId('catalogue-table').getByRole('row').filter({ hasText: resultNumber });
    await row.waitFor();
    await checkPage(page, 'catalogue');

    await row.getByRole('link', { name: resultNumber }).click();
    await page.getByRole('heading', { name }).waitFor();
    await page.getByTestId('entry-timeline').waitFor();

    expect(await page.getByTestId('entry-fields').innerText()).toContain(resultNumber);
    expect(await page.getByTestId('custody-state').innerText()).toContain('有效（保管中）');
    expect(await page.getByTestId('entry-versions').innerText()).toContain('zhang.wei');
    expect(await page.getByTestId('entry-timeline').innerText()).toMatch(/封存|核验/);
    await checkPage(page, 'entry');

    await page.getByRole('menuitem', { name: '成果目录检索' }).click();
    await navigate(page, '/console/catalogue/440000-CUS-2026-GT-999999');
    await page.getByTestId('api-problem').waitFor();

    expect(await page.getByTestId('api-problem').innerText()).toContain('未找到此成果');
    await page.context().close();
  }, 180_000);
});
