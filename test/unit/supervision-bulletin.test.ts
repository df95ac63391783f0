import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { bulletinRenderers } from '#adapters/bulletin-render.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { orgItem, userItem } from '#adapters/dynamo-identity.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { returnVersion } from '#shared/submission/outcomes.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import { issueBulletin, listBulletins, readBulletin, type BulletinPorts } from '#shared/supervision/bulletin.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { InMemoryRegistryAccess, catalogue, registeredTask, standardFiles, type SubmissionWorld } from './submission-fakes.ts';
import { transferWorld } from './transfer-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';

class MemoryFiles implements BulletinFiles {
  readonly objects = new Map<string, Uint8Array>();
  async putOnce(key: string, body: Uint8Array | string): Promise<boolean> {
    if (this.objects.has(key)) return false;
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    return true;
  }
  async get(key: string) {
    return this.objects.get(key);
  }
}

/** A task whose R6.1 is due 30 WD after `completion`, sealed at `sealedAt`; returns the submission id. */
async function sealedTask(w: SubmissionWorld, completion: string, sealedAt: string): Promise<string> {
  const task = await registeredTask(w, { completed: false });
  await recordCompletion({ actor: await w.user('li.na'), taskId: task.taskId, completionDate: completion, requestId: `c-${completion}` }, w.ports);
  const opened = await openSubmission({ actor: await w.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files: standardFiles, requestId: `o-${completion}` }, w.ports);
  const id = opened.submission.submissionId;
  for (const f of standardFiles) w.objects.putObject(objectKey(id, 1, f.path), f.size);
  w.setNow(sealedAt);
  await completeVersion({ actor: await w.user('li.na'), submissionId: id, n: 1, requestId: `s-${completion}` }, w.ports);
  return id;
}

async function bulletinWorld() {
  const t = await transferWorld();
  const w = t.world;
  // Late: completed 2026-08-03 (due in September), sealed 2026-09-28; returned at the first round.
  const late = await sealedTask(w, '2026-08-03', '2026-09-28T02:00:00.000Z');
  await returnVersion(w.ports, { submissionId: late, n: 1, reasons: ['坐标系不符合要求'], defects: [{ file: 'a.prj', rule: 'crs.not-cgcs2000', message: '坐标系', severity: 'error' }], decidedBy: 'chen.jing' });
  // Another province with its own supervisor (for the 404).
  w.tables.put('registry', orgItem({ code: '450000-NR', name: '广西壮族自治区自然资源厅', regionCode: '450000', level: 'provincial', type: 'naturalResources', parentCode: '100000-NR' }));
  w.tables.put('registry', userItem({ userId: 'wei.lan', name: '韦兰', email: 'wei.lan@example.gov.cn', orgCode: '450000-NR', roles: ['supervisor'], clearance: 'internal' }));
  w.setNow('2026-10-09T01:00:00.000Z');
  const store = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
  const files = new MemoryFiles();
  const mailer = new RecordingMailer();
  const ports: BulletinPorts = {
    identity: w.identity,
    counters: () => new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)),
    clocks: store,
    renderers: bulletinRenderers,
    files,
    bulletins: store,
    mailer,
    now: () => w.now,
    appBaseUrl: 'https://chengguo.example.gov.cn',
  };
  return { w, ports, files, mailer, store };
}

describe('R21.1 issue 14: bulletins (通报) from the counters — HTML with SVG charts, XLSX, write-once, emailed', () => {
  it('builds 广东省’s September bulletin: late unit ranked, charts drawn with data, one sheet per section with totals, 尚无数据 for R11–R19, the supervisor emailed', async () => {
    // prepare
    const { w, ports, files, mailer } = await bulletinWorld();

    // act
    const issued = await issueBulletin(ports, { actor: await w.user('zhou.hong'), org: '440000-NR', period: '2026-09', requestId: 'b1' });

    // assess
    expect(issued.created).toBe(true);
    expect(issued.bulletin).toMatchObject({ bulletinId: '440000-NR.2026-09', orgName: '广东省自然资源厅', periodLabel: '2026年9月' });
    expect(issued.bulletin.worst[0]).toMatchObject({ org: '440000-IMP', name: '广东省地质测绘院' });
    const html = new TextDecoder().decode(files.objects.get(issued.bulletin.keys.html));
    expect(html).toContain('<h1>通报</h1>');
    expect(html).toContain('@page { size: A4');
    const trend = /<div class="chart" id="trend-chart">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(trend).toMatch(/^<svg/);
    expect(trend).toContain('2026年9月');
    expect(trend).toMatch(/<path d="M/);
    const late = /<div class="chart" id="late-chart">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(late).toContain('广东省');
    expect(html).toMatch(/成果发布（R11–R12）<\/h2><p class="nodata">尚无数据/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(files.objects.get(issued.bulletin.keys.xlsx)!) as never);
    const names = wb.worksheets.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['概况', '成果汇交（R6.1）', '成果核验（R7）', '目录上报（R9.1）', '成果发布（R11–R12）', '共享服务（R13–R17）', '成果利用（R18–R19）', '逾期单位排名', '未办结期限']));
    const submission = wb.getWorksheet('成果汇交（R6.1）')!;
    const totalRow = submission.getRows(1, submission.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    const header = (submission.getRow(1).values as unknown[]).slice(1);
    expect(totalRow.getCell(header.indexOf('本期应汇交') + 1).value).toBe(1);
    expect(totalRow.getCell(header.indexOf('逾期办结') + 1).value).toBe(1);
    expect(String(wb.getWorksheet('成果发布（R11–R12）')!.getRow(2).getCell(1).value)).toContain('尚无数据');
    const mail = mailer.to('zhou.hong@example.gov.cn');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('通报');
    expect(mail[0]!.text).toContain('汇交按期率（R6.1）：0.0%');
    expect(mail[0]!.text).toContain('1. 广东省地质测绘院');
    expect(mail[0]!.text).toContain('查看通报（登录后显示，可下载 Excel 表格）：https://chengguo.example.gov.cn/supervision/bulletins/440000-NR.2026-09/page');
    // Chinese only: no 'Bulletin … is ready' line.
    expect(mail[0]!.text).not.toMatch(/Bulletin |is ready/);
  }, 60_000);

  it('is write-once: asking again returns the same bulletin, writes and sends nothing', async () => {
    // prepare
    const { w, ports, files, mailer } = await bulletinWorld();
    await issueBulletin(ports, { actor: await w.user('zhou.hong'), org: '440000-NR', period: '2026-09', requestId: 'b1' });
    const before = { files: files.objects.size, mails: mailer.sent.length, audit: w.identity.auditRecords().length };

    // act
    const again = await issueBulletin(ports, { actor: { system: 'MonthlyBulletins' }, org: '440000-NR', period: '2026-09', requestId: 'b2' });

    // assess
    expect(again.created).toBe(false);
    expect({ files: files.objects.size, mails: mailer.sent.length, audit: w.identity.auditRecords().length }).toEqual(before);
  }, 60_000);

  it('refuses a future period, a malformed one and a scope outside the caller’s organisation, naming the field; another province’s bulletin is 404', async () => {
    // prepare
    const { w, ports } = await bulletinWorld();
    await issueBulletin(ports, { actor: await w.user('zhou.hong'), org: '440000-NR', period: '2026-09', requestId: 'b1' });
    const zhou = await w.user('zhou.hong');
    const wei = await w.user('wei.lan');

    // act
    const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const future = await caught(issueBulletin(ports, { actor: zhou, org: '440000-NR', period: '2026-11', requestId: 'f' }));
    const malformed = await caught(issueBulletin(ports, { actor: zhou, org: '440000-NR', period: '2026-13', requestId: 'm' }));
    const outside = await caught(issueBulletin(ports, { actor: zhou, org: '100000-NR', period: '2026-09', requestId: 'o' }));
    const foreign = await caught(readBulletin(ports, { actor: wei, bulletinId: '440000-NR.2026-09', format: 'html' }));
    const own = await readBulletin(ports, { actor: zhou, bulletinId: '440000-NR.2026-09', format: 'xlsx' });
    const listed = await listBulletins(ports, { actor: zhou });

    // assess
    expect(future).toBeInstanceOf(ValidationError);
    expect(future).toMatchObject({ details: [{ field: 'body.period', code: 'FUTURE_PERIOD' }] });
    expect(malformed).toMatchObject({ details: [{ field: 'body.period', code: 'INVALID_PERIOD' }] });
    expect(outside).toBeInstanceOf(ForbiddenError);
    expect(String((outside as Error).message)).toContain('body.org');
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(own.body.byteLength).toBeGreaterThan(1000);
    expect(listed.items.map((b) => b.bulletinId)).toEqual(['440000-NR.2026-09']);
  }, 60_000);
});

const lambdaContext = { awsRequestId: 'req-sfn', functionName: 'test' } as never;

/** The Bulletin machine's steps in its order (statemachines/bulletin.asl.json), through the real step handlers. */
async function runBulletinMachine(ports: BulletinPorts, input: unknown, execution: string) {
  const { handler: gather } = await import('#functions/supervision/gather-bulletin.ts');
  const { handler: render } = await import('#functions/supervision/render-bulletin.ts');
  const { handler: record } = await import('#functions/supervision/record-bulletin.ts');
  const { handler: email } = await import('#functions/supervision/email-bulletin.ts');
  const gathered = await gather.with(ports as never)({ ...(input as object), execution }, lambdaContext);
  if (gathered.exists) return { gathered, steps: ['gather'] };
  await render.with(ports as never)({ record: gathered.record, execution }, lambdaContext);
  const recorded = await record.with(ports as never)({ record: gathered.record, execution }, lambdaContext);
  if (!recorded.created) return { gathered, steps: ['gather', 'render', 'record'] };
  const emailed = await email.with(ports as never)({ bulletinId: gathered.record.bulletinId, execution }, lambdaContext);
  return { gathered, emailed, steps: ['gather', 'render', 'record', 'email'] };
}

describe('R21.1 issue 14: the bulletin routes through the real handlers, the Bulletin machine’s steps through theirs', () => {
  it('POST answers 202 and starts the Bulletin machine; its steps store, record and email once; then POST answers 200 (write-once), 400 naming body.period; GET lists it; a file is 404 for another province’s supervisor; the emailed page is a public shell', async () => {
    // prepare
    const { w, ports, files, mailer } = await bulletinWorld();
    const { handler: issue } = await import('#functions/supervision/issue-bulletin.ts');
    const { handler: list } = await import('#functions/supervision/list-bulletins.ts');
    const { handler: file } = await import('#functions/supervision/get-bulletin-file.ts');
    const { handler: page } = await import('#functions/supervision/bulletin-page.ts');
    const { portsFor, call, FakeWorkflow } = await import('./submission-fakes.ts');
    const base = { verifier: portsFor(w).verifier, identity: w.identity };
    const workflow = new FakeWorkflow();
    const issuePorts = { ...base, bulletins: ports.bulletins, workflow, now: ports.now, appBaseUrl: ports.appBaseUrl };

    // act
    const first = await call(issue.with(issuePorts) as never, 'POST', '/supervision/bulletins', { user: 'zhou.hong', body: { period: '2026-09' } });
    const started = workflow.starts[0]!;
    const machine = await runBulletinMachine(ports, started.input, `arn:aws:states:cn-north-1:000000000000:execution:Bulletin:${started.name}`);
    const filesAfter = files.objects.size;
    const again = await runBulletinMachine(ports, started.input, 'arn:aws:states:cn-north-1:000000000000:execution:Bulletin:again');
    const second = await call(issue.with(issuePorts) as never, 'POST', '/supervision/bulletins', { user: 'zhou.hong', body: { period: '2026-09' } });
    const future = await call(issue.with(issuePorts) as never, 'POST', '/supervision/bulletins', { user: 'zhou.hong', body: { period: '2027-01' } });
    const unknownField = await call(issue.with(issuePorts) as never, 'POST', '/supervision/bulletins', { user: 'zhou.hong', body: { period: '2026-09', metric: 'x' } });
    const notSupervisor = await call(issue.with(issuePorts) as never, 'POST', '/supervision/bulletins', { user: 'li.na', body: { period: '2026-09' } });
    const listed = await call(list.with({ ...base, bulletins: ports.bulletins }) as never, 'GET', '/supervision/bulletins', { user: 'sun.yue', query: { org: '440000-NR' } });
    const params = { bulletinId: '440000-NR.2026-09', format: 'xlsx' };
    const own = await call(file.with({ ...base, bulletins: ports.bulletins, files: ports.files }) as never, 'GET', '/supervision/bulletins/440000-NR.2026-09/files/xlsx', { user: 'zhou.hong', pathParameters: params });
    const foreign = await call(file.with({ ...base, bulletins: ports.bulletins, files: ports.files }) as never, 'GET', '/supervision/bulletins/440000-NR.2026-09/files/xlsx', { user: 'wei.lan', pathParameters: params });
    const shell = await call(page.with({ signInUrl: '/local/sign-in' } as never) as never, 'GET', '/supervision/bulletins/440000-NR.2026-09/page', { pathParameters: { bulletinId: '440000-NR.2026-09' } });

    // assess
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ bulletinId: '440000-NR.2026-09', state: 'issuing', pageUrl: 'https://chengguo.example.gov.cn/supervision/bulletins/440000-NR.2026-09/page' });
    expect(workflow.starts).toHaveLength(1);
    expect(started).toMatchObject({ stateMachine: 'Bulletin', input: { org: '440000-NR', period: '2026-09', trigger: 'request', createdBy: 'zhou.hong' } });
    expect(started.name).toMatch(/^request-440000-NR_2026-09-[A-Za-z0-9_-]+$/);
    expect(machine.steps).toEqual(['gather', 'render', 'record', 'email']);
    expect(machine.emailed).toEqual({ emailed: ['zhou.hong@example.gov.cn'] });
    expect(filesAfter).toBe(3);
    expect(again.steps).toEqual(['gather']);
    expect(files.objects.size).toBe(3);
    expect(mailer.to('zhou.hong@example.gov.cn')).toHaveLength(1);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ state: 'issued', bulletin: { bulletinId: '440000-NR.2026-09', createdBy: 'zhou.hong', trigger: 'request', files: ['html', 'xlsx', 'json'] } });
    expect(workflow.starts).toHaveLength(1);
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('body.period');
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toContain('metric');
    expect(notSupervisor.status).toBe(403);
    expect(workflow.starts).toHaveLength(1);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(own.status).toBe(200);
    expect(Buffer.from(own.body.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
    expect(foreign.status).toBe(404);
    expect(shell.status).toBe(200);
    expect(String(shell.body)).not.toContain('广东省地质测绘院');
  }, 60_000);

  it('an execution that failed after storing the JSON is finished by the next one with the same figures; a second Record loses the race and emails nobody', async () => {
    // prepare
    const { ports, files, mailer, w } = await bulletinWorld();
    const { gatherBulletin, renderBulletin, recordBulletin } = await import('#shared/supervision/bulletin.ts');
    const job = { org: '440000-NR', period: '2026-09', trigger: 'schedule' as const, createdBy: 'MonthlyBulletins' };
    const broken = { ...ports, renderers: { ...ports.renderers, workbook: async () => { throw new Error('exceljs broke'); } } };
    const first = await gatherBulletin(ports, job);
    const failed = await renderBulletin(broken, first.record).then(() => 'rendered', (e: Error) => e.message);
    w.setNow('2026-10-20T01:00:00.000Z');

    // act
    const retried = await runBulletinMachine(ports, job, 'arn:aws:states:cn-north-1:000000000000:execution:Bulletin:retry');
    const late = await recordBulletin(ports, first.record, 'late-execution');

    // assess
    expect(failed).toBe('exceljs broke');
    expect(retried.steps).toEqual(['gather', 'render', 'record', 'email']);
    expect(retried.gathered.record).toEqual(first.record);
    expect(retried.gathered.record.createdAt).toBe('2026-10-09T01:00:00.000Z');
    expect([...files.objects.keys()].sort()).toEqual(Object.values(first.record.keys).sort());
    expect(late.created).toBe(false);
    expect(mailer.sent).toHaveLength(1);
  }, 60_000);

  it('the schedules start one Bulletin execution per supervising organiser for the last whole period; a second firing starts the same names, an existing bulletin none', async () => {
    // prepare
    const { ports, w } = await bulletinWorld();
    const { startScheduledBulletins, issueBulletin: issue } = await import('#shared/supervision/bulletin.ts');
    const { FakeWorkflow } = await import('./submission-fakes.ts');
    const workflow = new FakeWorkflow();
    const sched = { identity: w.identity, bulletins: ports.bulletins, workflow };
    const firing = new Date('2026-10-01T07:00:00+08:00');

    // act
    const once = await startScheduledBulletins(sched, { kind: 'month', scheduledTime: firing });
    const twice = await startScheduledBulletins(sched, { kind: 'month', scheduledTime: firing });
    await issue(ports, { actor: { system: 'MonthlyBulletins' }, org: '440000-NR', period: '2026-09', requestId: 'r' });
    const after = await startScheduledBulletins(sched, { kind: 'month', scheduledTime: firing });

    // assess
    expect(once.period).toBe('2026-09');
    expect(once.started).toContain('440000-NR.2026-09');
    expect(once.started).toContain('450000-NR.2026-09');
    expect(workflow.starts.slice(0, once.started.length).every((s) => s.stateMachine === 'Bulletin' && (s.input as { trigger: string }).trigger === 'schedule')).toBe(true);
    expect(workflow.starts.slice(once.started.length, 2 * once.started.length).map((s) => s.name)).toEqual(workflow.starts.slice(0, once.started.length).map((s) => s.name));
    expect(workflow.starts[0]!.name).toMatch(/^MonthlyBulletins-.+-2026-10-01$/);
    expect(twice.started).toEqual(once.started);
    expect(after.existing).toEqual(['440000-NR.2026-09']);
    expect(after.started).not.toContain('440000-NR.2026-09');
  }, 60_000);
});
