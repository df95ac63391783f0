import { describe, expect, it } from 'vitest';
import { api, auditHeadSeq, auditRecordsSince, cloud, itemsWithPrefix, signIn } from './helpers.ts';

const sha = 'a'.repeat(64);
const catalogue = {
  name: '【集成测试】文件名检查',
  content: '地类图斑矢量数据与调查报告',
  format: 'GeoPackage、PDF',
  spatialScope: { regionCode: '440117' },
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
};
const taskBody = { name: '【集成测试】从化区国土变更调查', theme: 'landSurvey', regionCode: '440117', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' };

describe('R20.1 issue-8 §6 on the local cloud: POST /pings is for administrators only', () => {
  it('refuses 罗欣 (requester) and 李娜 (submitter) with 403, starting nothing; the administrator’s ping keeps its token sealed', async () => {
    // prepare
    const pingsBefore = (await itemsWithPrefix('PING#')).length;
    // act
    const asRequester = await api('POST', '/pings', { token: await signIn('luo.xin'), body: { message: '需求部门' } });
    const asSubmitter = await api('POST', '/pings', { token: await signIn('li.na'), body: { message: '填报人' } });
    // assess
    expect([asRequester.status, asSubmitter.status]).toEqual([403, 403]);
    expect(asRequester.body.error.message).toContain('系统管理员');
    expect((await itemsWithPrefix('PING#')).length).toBe(pingsBefore);
  });
});

describe('R20.1 issue-8 §6 on the local cloud: HEAD answers like GET without a body', () => {
  it('HEAD on an emailed task page, the health check and a signed-in route answers the GET status and headers, no body', async () => {
    const page = `${cloud.urls.api}/human-tasks/00000000-0000-4000-8000-000000000000/page`;
    const [getPage, headPage] = await Promise.all([fetch(page), fetch(page, { method: 'HEAD' })]);
    expect(getPage.status).toBe(200);
    expect(headPage.status).toBe(200);
    expect(headPage.headers.get('content-type')).toBe(getPage.headers.get('content-type'));
    expect(headPage.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await headPage.text()).toBe('');
    expect((await getPage.text()).length).toBeGreaterThan(0);

    const health = await fetch(`${cloud.urls.api}/health`, { method: 'HEAD' });
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');

    const token = await signIn('li.na');
    const me = await fetch(`${cloud.urls.api}/me`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    const anonymous = await fetch(`${cloud.urls.api}/me`, { method: 'HEAD' });
    expect([me.status, anonymous.status]).toEqual([200, 401]);
    expect(await me.text()).toBe('');
  });
});

describe('R3.1 R6.1 R20.1 issue-8 §6 on the local cloud: bad input refused at the boundary, nothing written', () => {
  it('refuses a lone surrogate, a made-up region and a custodian outside the task region with a 400 naming the field', async () => {
    // prepare
    const reviewer = await signIn('chen.jing');
    const seqBefore = await auditHeadSeq();
    const tasksBefore = (await itemsWithPrefix('TASK#')).length;
    // act
    const surrogate = await api('POST', '/survey-tasks', { token: reviewer, rawBody: JSON.stringify(taskBody).replace('从化区', '从化区\\ud800') });
    const made449999 = await api('POST', '/survey-tasks', { token: reviewer, body: { ...taskBody, regionCode: '449999' } });
    const made440199 = await api('POST', '/survey-tasks', { token: reviewer, body: { ...taskBody, regionCode: '440199' } });
    const outside = await api('POST', '/survey-tasks', { token: reviewer, body: { ...taskBody, regionCode: '440000', custodianOrg: '440100-NR' } });
    // assess
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.details[0]).toMatchObject({ field: 'body.name', code: 'INVALID_UNICODE' });
    for (const r of [made449999, made440199]) {
      expect(r.status).toBe(400);
      expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain('body.regionCode');
    }
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'body.custodianOrg', code: 'OUTSIDE_REGION' })]));
    expect((await itemsWithPrefix('TASK#')).length).toBe(tasksBefore);
    expect(await auditRecordsSince(seqBefore)).toEqual([]);
  });

  it('refuses file names with a bidi override, a zero-width space, a blank name, or a file beside a folder of its name, naming the file', async () => {
    // prepare: a real task to submit to
    const reviewer = await signIn('chen.jing');
    const submitter = await signIn('li.na');
    const task = await api('POST', '/survey-tasks', { token: reviewer, body: taskBody });
    expect(task.status).toBe(201);
    const taskId = String(task.body.task.taskId);
    const good = [
      { path: 'data/landuse.gpkg', size: 10, sha256: sha, role: 'data' },
      { path: 'report/survey-report.pdf', size: 10, sha256: sha, role: 'report' },
    ];
    const submissionsBefore = (await itemsWithPrefix('SUB#')).length;
    for (const [bad, shown] of [
      ['report/报告\u202efdp.exe', '\\u202e'],
      ['data/land\u200buse2.gpkg', '\\u200b'],
      ['data/ ', 'data/ '],
      ['report', '“report”'],
    ] as const) {
      // act
      const r = await api('POST', `/survey-tasks/${taskId}/submissions`, { token: submitter, body: { catalogue, files: [...good, { path: bad, size: 10, sha256: sha, role: 'report' }] } });
      // assess
      expect(r.status, bad).toBe(400);
      expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain('body.files.2.path');
      expect(JSON.stringify(r.body.error.details)).toContain(JSON.stringify(shown).slice(1, -1));
    }
    expect((await itemsWithPrefix('SUB#')).length).toBe(submissionsBefore);
  });
});
