import { readFileSync } from 'node:fs';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { describe, expect, it } from 'vitest';
import { handler as reportFileHandler } from '#functions/catalogue-report/catalogue-report-file.ts';
import { handler as getReportHandler } from '#functions/catalogue-report/get-catalogue-report.ts';
import { handler as listReportsHandler } from '#functions/catalogue-report/list-catalogue-reports.ts';
import { handler as recordAckHandler } from '#functions/catalogue-report/record-acknowledgement.ts';
import { handler as sendReportHandler } from '#functions/catalogue-report/send-catalogue-report.ts';
import { handler as registerEntry } from '#functions/catalogue/register-catalogue-entry.ts';
import { catalogueReportAckKind } from '#shared/catalogue-report/task-kind.ts';
import { editCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { redactedNote, reportCsv, type ReportPorts } from '#shared/catalogue-report/report.ts';
import { recordReceipt } from '#shared/transfer/transfer.ts';
import { manifest } from '#infra/manifest.ts';
import { catalogueDeps, cataloguePorts, catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeCatalogueReportStore } from './catalogue-report-fakes.ts';
import { call, submissionWorld } from './submission-fakes.ts';
import { InMemoryDocuments, RecordingMailer } from './tasks-fakes.ts';

type CatalogueReportDeps = Awaited<ReturnType<typeof setup>>['deps'];
const sendReport = (d: CatalogueReportDeps) => sendReportHandler.with(d);
const listReports = (d: CatalogueReportDeps) => listReportsHandler.with(d);
const getReport = (d: CatalogueReportDeps) => getReportHandler.with(d);
const reportFile = (d: CatalogueReportDeps) => reportFileHandler.with(d);
const recordAck = (ports: ReportPorts) => recordAckHandler.with(ports);

const lambdaContext = { awsRequestId: 'req-sfn', functionName: 'test' } as never;

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const catDeps = catalogueDeps(world, cat);
  const catPorts = cataloguePorts(world, cat);
  const reports = new FakeCatalogueReportStore(cat.table);
  const documents = new InMemoryDocuments();
  let n = 0;
  const ports = {
    catalogue: cat.store,
    submissions: world.store,
    reports,
    identity: world.identity,
    documents,
    workflow: world.workflow,
    calendar: world.ports.calendar,
    now: () => world.now,
    newId: () => `r${++n}`,
  } satisfies ReportPorts;
  const deps = { ...ports, verifier: catDeps.verifier(), identity: catDeps.identity() };
  const register = async (over: Record<string, unknown> = {}) => {
    const id = await verifiedSubmission(world, over);
    const r = await call(registerEntry.with(catPorts), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId: id } });
    expect(r.status).toBe(201);
    return r.body.entry.resultNumber as string;
  };
  /** The custodian's receipt of a registered entry's result, as the Transfer's Record Receipt step writes it. */
  const receive = (resultNumber: string, decidedAt: string) =>
    cat.store.getEntry(resultNumber).then((entry) =>
      recordReceipt(
        { store: world.store, objects: world.objects, catalogue: cat.store, identity: world.identity, mailer: new RecordingMailer(), calendar: world.ports.calendar, now: () => world.now, appBaseUrl: 'https://chengguo.example.gov.cn' },
        { submissionId: entry!.submissionId, n: 1, resultNumber, receipt: { decidedBy: 'zhang.wei', decidedAt }, requestId: 'receipt' },
      ),
    );
  return { world, cat, reports, documents, ports, deps, register, receive };
}

describe('R9.1 catalogue report due date: within 30 WD of receipt', () => {
  it('counts the due date from the custodian\'s receipt of the result when one is recorded (dueBasis receipt)', async () => {
    const w = await setup();
    const number = await w.register();
    const receipt = await w.receive(number, '2026-10-12T02:00:00.000Z');

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    expect(r.status).toBe(202);
    const calendar = await w.ports.calendar();
    expect(r.body.report).toMatchObject({ dueBasis: 'receipt', dueFrom: '2026-10-12', dueDate: calendar.addWorkingDays('2026-10-12', 30) });
    expect(r.body.report.dueDate).toBe(receipt.catalogueReportDue);
    expect(r.body.report.entryDues).toEqual([{ resultNumber: number, dueBasis: 'receipt', dueFrom: '2026-10-12', dueDate: receipt.catalogueReportDue }]);
    expect(w.reports.audits[0]?.detail).toMatchObject({ dueBasis: 'receipt', dueFrom: '2026-10-12' });
  });

  it('is due when its earliest entry is, each entry showing its own basis', async () => {
    const w = await setup();
    const direct = await w.register();
    const transferred = await w.register();
    const receipt = await w.receive(transferred, '2026-10-12T02:00:00.000Z');

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    const calendar = await w.ports.calendar();
    expect(r.body.report).toMatchObject({ dueBasis: 'registration', dueFrom: '2026-09-21', dueDate: calendar.addWorkingDays('2026-09-21', 30) });
    expect(r.body.report.entryDues).toEqual([
      { resultNumber: direct, dueBasis: 'registration', dueFrom: '2026-09-21', dueDate: calendar.addWorkingDays('2026-09-21', 30) },
      { resultNumber: transferred, dueBasis: 'receipt', dueFrom: '2026-10-12', dueDate: receipt.catalogueReportDue },
    ]);
  });

  it('falls back to the registration date for an entry catalogued directly, with no receipt (dueBasis registration)', async () => {
    const w = await setup();
    const number = await w.register();
    const entry = await w.cat.store.getEntry(number);

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    expect(r.status).toBe(202);
    const calendar = await w.ports.calendar();
    const registered = entry!.createdAt.slice(0, 10);
    expect(r.body.report).toMatchObject({ dueBasis: 'registration', dueFrom: registered, dueDate: calendar.addWorkingDays(registered, 30) });
    expect(r.body.report.entryDues).toEqual([{ resultNumber: number, dueBasis: 'registration', dueFrom: registered, dueDate: calendar.addWorkingDays(registered, 30) }]);
  });
});

describe('R9.1 catalogue reports upward: POST /catalogue-reports', () => {
  it('reports the entries registered since the last report to the next-higher organiser, archiving the JSON as sent (only files rendered per reader leave the store)', async () => {
    const w = await setup();
    const first = await w.register();
    const second = await w.register();

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    expect(r.status).toBe(202);
    const report = r.body.report;
    expect(report).toMatchObject({ custodianOrg: '440000-CUS', organiserOrg: '440000-NR', recipientOrg: '100000-NR', status: 'sent', entryCount: 2, overdue: false });
    expect(report.resultNumbers).toEqual([first, second]);
    expect(report.dueDate > '2026-10-01').toBe(true);
    const keys = [...w.documents.objects.keys()];
    expect(keys).toEqual([`catalogue-reports/440000-CUS/${report.reportId}.json`]);
    const archived = JSON.parse(w.documents.objects.get(keys[0]!)!.body) as { entries: Array<{ resultNumber: string }> };
    expect(archived.entries.map((e) => e.resultNumber)).toEqual([first, second]);
    expect(w.world.workflow.starts.at(-1)).toMatchObject({ stateMachine: 'CatalogueReport', name: report.reportId, input: { reportId: report.reportId } });
    expect(w.reports.audits[0]).toMatchObject({ action: 'catalogue.report.send', actor: 'zhang.wei' });
  });

  it('a second report carries only the entries registered after the first', async () => {
    const w = await setup();
    await w.register();
    await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });
    const later = await w.register();

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    expect(r.status).toBe(202);
    expect(r.body.report.resultNumbers).toEqual([later]);
  });

  it('refuses with 409 NOTHING_TO_REPORT and a Chinese message when nothing is new', async () => {
    const w = await setup();
    await w.register();
    await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('NOTHING_TO_REPORT');
    expect(r.body.error.message).toContain('没有新登记');
  });

  it('refuses a user without the custodian role (403)', async () => {
    const w = await setup();

    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'chen.jing' });

    expect(r.status).toBe(403);
  });
});

describe('R9.1 catalogue reports: acknowledgement, deadline and reading', () => {
  async function sent() {
    const w = await setup();
    const open = await w.register();
    const classified = await w.register({ classification: 'secret' });
    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });
    return { ...w, open, classified, reportId: r.body.report.reportId as string };
  }

  it('the acknowledgement task goes to the reviewers of the upper level, and Record Acknowledgement closes the report with who and when', async () => {
    const w = await sent();
    const kind = catalogueReportAckKind({ reports: w.reports, identity: w.world.identity });

    const described = await kind.describe({ reportId: w.reportId });
    const out = await recordAck(w.ports)(
      { reportId: w.reportId, acknowledgement: { taskId: 't1', decision: 'approve', reasons: '', decidedBy: 'zhao.min', decidedAt: '2026-09-22T02:00:00.000Z' } },
      lambdaContext,
    );

    expect(described.assigneeOrg).toBe('100000-NR');
    expect(kind.role).toBe('reviewer');
    expect(out).toEqual({ reportId: w.reportId, status: 'acknowledged' });
    expect(w.reports.reports.get(w.reportId)?.acknowledgement?.decidedBy).toBe('zhao.min');
    expect(w.reports.audits.at(-1)).toMatchObject({ action: 'catalogue.report.acknowledged' });
  });

  it('the acknowledgement task names the sender and the organisations by name, with the id or code after it', async () => {
    const w = await sent();
    const kind = catalogueReportAckKind({ reports: w.reports, identity: w.world.identity });

    const described = await kind.describe({ reportId: w.reportId });

    const details = described.details.join('\n');
    expect(details).toContain('报送人：张伟（zhang.wei）');
    expect(details).toContain('报送单位：广东省自然资源技术中心（440000-CUS）');
    expect(details).toContain('接收单位：自然资源部（100000-NR）');
    expect(details).toContain('（北京时间）');
  });

  it('lists reports with working days left, and flags an unacknowledged report overdue after its due date', async () => {
    const w = await sent();
    const due = w.reports.reports.get(w.reportId)!.dueDate;
    w.world.setNow(`${due.slice(0, 4)}-12-31T02:00:00.000Z`);

    const r = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'zhao.min', query: { custodianOrg: '440000-CUS' } });

    expect(r.status).toBe(200);
    expect(r.body.reports[0]).toMatchObject({ reportId: w.reportId, overdue: true });
    expect(r.body.reports[0].workingDaysLeft).toBeLessThan(0);
  });

  it('the upper level sees the reports it received from the level below (level by level); another organisation is refused', async () => {
    const w = await sent();

    const received = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'zhao.min', query: { recipientOrg: '100000-NR' } });
    const provincial = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'chen.jing', query: { recipientOrg: '440000-NR' } });
    const outsider = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'chen.jing', query: { recipientOrg: '100000-NR' } });
    const neither = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'zhao.min' });

    expect(received.body.reports.map((r: { reportId: string }) => r.reportId)).toEqual([w.reportId]);
    expect(provincial.body.reports).toEqual([]);
    expect(outsider.status).toBe(403);
    expect(neither.status).toBe(400);
  });

  it('refuses the list to an organisation outside the custodian, its organiser and the upper level (403)', async () => {
    const w = await sent();

    const r = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'li.na', query: { custodianOrg: '440000-CUS' } });

    expect(r.status).toBe(403);
  });

  it('shows entries above the reader’s clearance only as their number', async () => {
    const w = await sent();
    const path = `/catalogue-reports/${w.reportId}`;

    const internal = await call(getReport(w.deps), 'GET', path, { user: 'zhou.hong', pathParameters: { reportId: w.reportId } });
    const upper = await call(getReport(w.deps), 'GET', path, { user: 'zhao.min', pathParameters: { reportId: w.reportId } });

    expect(internal.status).toBe(200);
    const hidden = internal.body.entries.find((e: { resultNumber: string }) => e.resultNumber === w.classified);
    expect(hidden).toEqual({ resultNumber: w.classified, redacted: true, note: redactedNote });
    expect(JSON.stringify(internal.body)).not.toContain('"classification":"secret"');
    expect(internal.body.entries.find((e: { resultNumber: string }) => e.resultNumber === w.open).redacted).toBe(false);
    expect(upper.body.entries.every((e: { redacted: boolean }) => !e.redacted)).toBe(true);
  });
});

describe('R9.1 R9.2 catalogue report files: CSV, HTML and JSON rendered for the reader\'s clearance', () => {
  async function sent() {
    const w = await setup();
    const open = await w.register();
    const classified = await w.register({ classification: 'secret' });
    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });
    const names = { open: (await w.cat.store.getEntry(open))!.name, classified: (await w.cat.store.getEntry(classified))!.name };
    return { ...w, open, classified, names, reportId: r.body.report.reportId as string };
  }
  const file = (w: { deps: CatalogueReportDeps; reportId: string }, user: string, format: string) =>
    call(reportFile(w.deps), 'GET', `/catalogue-reports/${w.reportId}/files/${format}`, { user, pathParameters: { reportId: w.reportId, format } });

  it('a CSV for an internal-clearance reader shows the classified line as its number and the note only', async () => {
    const w = await sent();

    const r = await file(w, 'zhou.hong', 'csv');

    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`成果目录上报-${w.reportId}.csv`)}`);
    const rows = (r.body as string).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain(w.names.open);
    expect(rows[1]).toContain('广东省自然资源技术中心（440000-CUS）');
    expect(rows[2]).toBe([w.classified, redactedNote, ...Array(12).fill('')].join(','));
    expect(rows[2]).not.toContain('秘密');
  });

  it('a reader cleared for secret gets every line in full, in CSV, HTML and JSON', async () => {
    const w = await sent();

    const csv = await file(w, 'zhao.min', 'csv');
    const html = await file(w, 'zhao.min', 'html');
    const json = await file(w, 'zhao.min', 'json');

    expect(csv.body).toContain(w.classified);
    expect((csv.body as string).split('\r\n')[2]).toContain('秘密');
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('<h1>成果目录上报</h1>');
    expect(html.body).not.toContain('仅显示统一编号');
    expect(json.body.entries.every((e: { redacted: boolean }) => !e.redacted)).toBe(true);
  });

  it('a CSV and HTML line reads in Chinese: theme and sharing-mode labels, registration time in Beijing time', async () => {
    const w = await sent();
    const entry = (await w.cat.store.getEntry(w.open))!;

    const csv = await file(w, 'zhao.min', 'csv');
    const html = await file(w, 'zhao.min', 'html');

    const line = (csv.body as string).split('\r\n')[1]!;
    expect(entry.theme).toBe('landSurvey');
    expect(line).toContain('国土调查');
    expect(line).toContain('在线共享');
    expect(line).toContain(chinaDateTime(entry.createdAt));
    expect(line).toContain('（北京时间）');
    expect(line).not.toContain('landSurvey');
    expect(line).not.toContain(',online,');
    expect(line).not.toContain(entry.createdAt);
    expect(html.body).toContain('<td>国土调查</td>');
    expect(html.body).not.toContain('landSurvey');
  });

  it('the HTML page says whose clearance it was rendered for and how many lines it hides', async () => {
    const w = await sent();

    const html = await file(w, 'zhou.hong', 'html');

    expect(html.body).toContain('按周红（zhou.hong）的密级（内部）');
    expect(html.body).toContain('其中 1 条超出该密级，仅显示统一编号');
    expect(html.body).toContain('<tr class="redacted">');
  });

  it('refuses a reader outside the custodian, its organiser and the upper level (403), an unknown format (400) and an unknown report (404)', async () => {
    const w = await sent();

    const outsider = await file(w, 'li.na', 'csv');
    const badFormat = await file(w, 'zhao.min', 'xls');
    const missing = await call(reportFile(w.deps), 'GET', '/catalogue-reports/x/files/csv', { user: 'zhao.min', pathParameters: { reportId: 'x', format: 'csv' } });

    expect(outsider.status).toBe(403);
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.details[0].field).toBe('path.format');
    expect(missing.status).toBe(404);
  });

  it('redacts an entry raised to 秘密 after the report was sent, in the report and its files, for a reader cleared for 内部 only', async () => {
    const w = await sent();
    await editCatalogueEntry(
      { catalogue: w.cat.store, now: () => w.world.now },
      { actor: await w.world.user('zhang.wei'), resultNumber: w.open, edit: { classification: 'secret', reason: '经审查定为秘密' }, requestId: 'raise' },
    );

    const report = await call(getReport(w.deps), 'GET', `/catalogue-reports/${w.reportId}`, { user: 'zhou.hong', pathParameters: { reportId: w.reportId } });
    const csv = await file(w, 'zhou.hong', 'csv');

    expect(report.body.entries.find((e: { resultNumber: string }) => e.resultNumber === w.open)).toEqual({ resultNumber: w.open, redacted: true, note: redactedNote });
    expect(csv.body).not.toContain(w.names.open);
  });

  it('shows each entry\'s own clock (entryDues) only for the entries the reader may see, and none in the lists', async () => {
    const w = await sent();

    const internal = await call(getReport(w.deps), 'GET', `/catalogue-reports/${w.reportId}`, { user: 'zhou.hong', pathParameters: { reportId: w.reportId } });
    const cleared = await call(getReport(w.deps), 'GET', `/catalogue-reports/${w.reportId}`, { user: 'zhao.min', pathParameters: { reportId: w.reportId } });
    const listed = await call(listReports(w.deps), 'GET', '/catalogue-reports', { user: 'zhou.hong', query: { custodianOrg: '440000-CUS' } });

    expect(internal.body.report.entryDues.map((d: { resultNumber: string }) => d.resultNumber)).toEqual([w.open]);
    expect(cleared.body.report.entryDues.map((d: { resultNumber: string }) => d.resultNumber).sort()).toEqual([w.open, w.classified].sort());
    expect(listed.body.reports[0].entryDues).toBeUndefined();
  });

  it('quotes a cell that a spreadsheet would run as a formula (CSV injection)', async () => {
    const w = await setup();
    await w.register({ name: '=HYPERLINK("http://x")' });
    const r = await call(sendReport(w.deps), 'POST', '/catalogue-reports', { user: 'zhang.wei' });

    const csv = await file({ deps: w.deps, reportId: r.body.report.reportId }, 'zhao.min', 'csv');

    expect(csv.body).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

describe('R9.1 catalogue report wiring', () => {
  it('an empty CSV still starts with the UTF-8 BOM and the Chinese header row', () => {
    const csv = reportCsv([]);

    expect(csv.startsWith('\uFEFF统一编号,成果名称')).toBe(true);
  });

  it('the state machine waits for the catalogueReportAck task, and DecideHumanTask may answer it', () => {
    const asl = JSON.parse(readFileSync('statemachines/catalogue-report.asl.json', 'utf8'));
    const decide = manifest.functions.find((f) => f.name === 'DecideHumanTask');

    expect(asl.States['Acknowledge Report'].Parameters.Payload.kind).toBe('catalogueReportAck');
    expect(asl.States['Acknowledge Report'].Resource).toContain('waitForTaskToken');
    expect(decide?.answersStateMachines).toContain('CatalogueReport');
  });
});
