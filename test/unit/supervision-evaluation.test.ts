import { describe, expect, it } from 'vitest';
import type { CounterStore, MonthCounters } from '#shared/ports/supervision.ts';
import { evaluationCounts, evaluationMetricKey } from '#shared/supervision/evaluation-counts.ts';
import { evaluationFigures, evaluationHtml, runQuarterlyEvaluations } from '#shared/supervision/evaluation.ts';
import { parsePeriod } from '#shared/supervision/periods.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';
import { createHash } from 'node:crypto';
import { DynamoEvaluationStore } from '#adapters/dynamo-evaluations.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { evaluationAckKind, evaluationAcknowledgementSchema, evaluationView, readEvaluationFile, recordEvaluationAcknowledgement } from '#shared/supervision/evaluation-ack.ts';
import { createHumanTask, decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { InMemoryRegistryAccess } from './submission-fakes.ts';
import { fakeTaskToken, RecordingMailer, taskWorld } from './tasks-fakes.ts';

class MemoryCounters implements CounterStore {
  itemsRead = 0;
  constructor(private readonly rows: MonthCounters[]) {}
  async read(org: string, from: string, to: string) {
    const out = this.rows.filter((r) => r.org === org && r.month >= from && r.month <= to);
    this.itemsRead += out.length;
    return out;
  }
}

const org = (code: string, type: string, name: string, parentCode?: string) => ({ code, type, name, ...(parentCode ? { parentCode } : {}) }) as unknown as Organisation;
const orgs = [org('440000-NR', 'naturalResources', '广东省自然资源厅'), org('440000-CUS', 'custodian', '广东省国土资源档案馆 <测试>', '440000-NR')];
const users = [{ userId: 'chen.jing', orgCode: '440000-NR', roles: ['reviewer'], email: 'chen.jing@example.gov.cn' }] as unknown as User[];
const identity = {
  listOrganisations: async (parent?: string) => orgs.filter((o) => (o as { parentCode?: string }).parentCode === parent),
  listUsers: async (code: string) => users.filter((u) => u.orgCode === code),
  getOrganisation: async (code: string) => orgs.find((o) => o.code === code),
};
const q4 = parsePeriod('2026-Q4')!;
const counters = () =>
  new MemoryCounters([
    { org: '440000-CUS', month: '2026-10', values: { 'R19.2.reported': 9, [evaluationMetricKey('440000-NR', 'R15.applications')]: 3, [evaluationMetricKey('440000-NR', 'R16.downloads')]: 5, [evaluationMetricKey('440000-NR', 'R18.2.reviewed')]: 2 } },
    { org: '440000-CUS', month: '2026-12', values: { [evaluationMetricKey('440000-NR', 'R15.applications')]: 1, [evaluationMetricKey('440000-NR', 'R19.1.late')]: 1 } },
    // Outside the quarter, and another organiser with nothing but zeros: neither shows.
    { org: '440000-CUS', month: '2026-09', values: { [evaluationMetricKey('440000-NR', 'R15.applications')]: 7 } },
    { org: '440000-CUS', month: '2026-11', values: { [evaluationMetricKey('450000-NR', 'R16.downloads')]: 0 } },
  ]);

describe('R19.2 the custodian’s quarterly use-and-quality evaluation', () => {
  it('figures per organiser (衍生产品保密审查 among them) come from the custodian’s counters of the quarter’s three months only (key reads, eval:<organiser>:<metric>)', async () => {
    // prepare
    const store = counters();

    // act
    const figures = await evaluationFigures(store, '440000-CUS', q4);

    // assess
    expect(figures).toHaveLength(1);
    expect(figures[0]).toMatchObject({ custodianOrg: '440000-CUS', organiserOrg: '440000-NR', quarter: '2026-Q4' });
    expect(figures[0]!.values).toMatchObject({ 'R15.applications': 4, 'R16.downloads': 5, 'R18.2.reviewed': 2, 'R19.1.late': 1, 'R19.2.reported': 0 });
    expect(store.itemsRead).toBe(3);
  });

  it('evaluationCounts gives one increment per distinct custodian × organiser, on the custodian’s counters', () => {
    // act
    const out = evaluationCounts(
      [
        { custodianOrg: '440000-CUS', organiserOrg: '440000-NR' },
        { custodianOrg: '440000-CUS', organiserOrg: '440000-NR' },
        { custodianOrg: '440100-CUS', organiserOrg: '440000-NR' },
      ],
      'R19.1.due',
      2,
    );

    // assess
    expect(out).toEqual([
      { org: '440000-CUS', metric: 'eval:440000-NR:R19.1.due', by: 2 },
      { org: '440100-CUS', metric: 'eval:440000-NR:R19.1.due', by: 2 },
    ]);
  });

  it('the document escapes names and codes', () => {
    // act
    const html = evaluationHtml(
      { custodianOrg: '440000-CUS', organiserOrg: '<b>x</b>', quarter: '2026-Q4', values: { 'R15.applications': 1, 'R15.approved': 0, 'R16.downloads': 0, 'R18.2.reviewed': 0, 'R19.1.due': 0, 'R19.reports': 0, 'R19.1.late': 0, 'R19.2.reported': 0, 'R19.2.confirmed': 0, 'R19.3.fixed': 0 } },
      { custodian: '档案馆 <script>alert(1)</script>', organiser: '厅 & 局' },
      q4,
      '2027-01-01 08:00',
    );

    // assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('档案馆 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('厅 &amp; 局（&lt;b&gt;x&lt;/b&gt;）');
    expect(html).toContain('2026年第四季度');
  });

  it('the schedule evaluates the last whole quarter: one document and record per pair, the reviewers emailed once, the acknowledgement started once; a re-run writes, starts and sends nothing', async () => {
    // prepare
    const w = evaluationWorld();

    // act
    const first = await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });
    const second = await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });

    // assess
    expect(first.quarter).toBe('2026-Q4');
    expect(first.written.map((x) => x.key)).toEqual([docKey]);
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]).toMatchObject({ to: ['chen.jing@example.gov.cn'] });
    expect(w.mailer.sent[0]!.subject).toBe('【成果利用与质量评价】广东省国土资源档案馆 <测试> 2026年第四季度');
    expect(w.mailer.sent[0]!.text).toContain('共享申请 4 件');
    expect(first.started).toEqual([evaluationId]);
    expect(w.starts).toEqual([{ machine: 'EvaluationAcknowledgement', name: 'evaluation-440000-CUS_440000-NR_2026-Q4', input: { evaluationId } }]);
    const record = await w.evaluations.get(evaluationId);
    expect(record).toMatchObject({ custodianOrg: '440000-CUS', organiserOrg: '440000-NR', quarter: '2026-Q4', key: docKey, execution: 'evaluation-440000-CUS_440000-NR_2026-Q4' });
    expect(record!.sha256).toBe(createHash('sha256').update(w.files.get(docKey)!, 'utf8').digest('hex'));
    expect(record!.values['R15.applications']).toBe(4);
    expect(w.files.get(docKey)).toMatch(/<th scope="row">衍生产品保密审查<\/th><td>2<\/td>/);
    expect(w.actions()).toEqual(['supervision.evaluation.record', 'supervision.evaluation.ackStarted']);
    expect(second.written).toEqual([]);
    expect(second.existing).toEqual([docKey]);
    expect(second.started).toEqual([]);
    expect(w.starts).toHaveLength(1);
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.actions()).toHaveLength(2);
  });

  it('a run that stopped after writing the document (its email lost) is covered: the next run records the stored document’s SHA-256 and starts the task, sending no second document', async () => {
    // prepare
    const w = evaluationWorld();
    w.files.set(docKey, '<html>stored earlier</html>');

    // act
    const out = await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });

    // assess
    expect(out.written).toEqual([]);
    expect(out.existing).toEqual([docKey]);
    expect(out.started).toEqual([evaluationId]);
    expect(w.mailer.sent).toEqual([]);
    expect((await w.evaluations.get(evaluationId))!.sha256).toBe(createHash('sha256').update('<html>stored earlier</html>', 'utf8').digest('hex'));
  });

  it('an acknowledgement started before its mark was lost (ExecutionAlreadyExists) is marked, not started twice or refused', async () => {
    // prepare
    const w = evaluationWorld();
    w.alreadyExists = true;

    // act
    const out = await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });

    // assess
    expect(out.started).toEqual([evaluationId]);
    expect((await w.evaluations.get(evaluationId))!.execution).toBe('evaluation-440000-CUS_440000-NR_2026-Q4');
  });
});

describe('R19.2 the organiser acknowledges the evaluation (evaluationAck: 已阅 / 有异议)', () => {
  async function acknowledged() {
    const w = evaluationWorld();
    await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });
    const t = await taskWorld({ kinds: [evaluationAckKind({ evaluations: w.evaluations, identity })] });
    const { task } = await createHumanTask(t.ports, { taskToken: fakeTaskToken(), kind: 'evaluationAck', subject: { evaluationId }, timeoutSeconds: 1814400, escalationLevel: 0, execution: 'arn:exec', requestId: 'r0', fn: 'CreateHumanTask' });
    return { w, t, task };
  }

  it('the task goes to the organiser’s reviewers with the figures and the signed-in link to the stored document', async () => {
    // prepare
    const { w, t, task } = await acknowledged();
    const kind = evaluationAckKind({ evaluations: w.evaluations, identity });

    // act
    const summary = (await kind.summary(task)) as { evaluation: Record<string, unknown> };

    // assess
    expect(kind.role).toBe('reviewer');
    expect(task.assigneeOrg).toBe('440000-NR');
    expect(task.title).toBe('成果利用与质量评价确认：广东省国土资源档案馆 <测试>（2026年第四季度）');
    expect(t.mailer.sent.map((m) => m.to).flat()).toContain('chen.jing@example.gov.cn');
    expect(summary.evaluation).toMatchObject({ evaluationId, key: docKey, filePath: '/supervision/evaluations/440000-CUS.440000-NR.2026-Q4/file', quarterLabel: '2026年第四季度' });
    expect(summary.evaluation['figures']).toContainEqual({ key: 'R18.2.reviewed', label: '衍生产品保密审查', value: 2 });
    expect(summary.evaluation['figures']).toContainEqual({ key: 'R15.applications', label: '共享申请', value: 4 });
  });

  it('有异议 without a note is refused naming body.reasons, nothing decided; with a note it is recorded once on the evaluation record (who, when, note), audited; a retry changes nothing', async () => {
    // prepare
    const { w, t, task } = await acknowledged();
    const reviewer = await t.user('chen.jing');

    // act
    const refused = await decideHumanTask(t.ports, { actor: reviewer, id: task.id, decision: 'return', reasons: ' ', requestId: 'r1' }).catch((e: unknown) => e);
    const before = await w.evaluations.get(evaluationId);
    await decideHumanTask(t.ports, { actor: reviewer, id: task.id, decision: 'return', reasons: '下载次数与台账不符', requestId: 'r2' });
    const output = evaluationAcknowledgementSchema.parse(t.workflow.successes[0]!.output);
    const first = await recordEvaluationAcknowledgement(w, { evaluationId, acknowledgement: output, requestId: 'r3' });
    const again = await recordEvaluationAcknowledgement(w, { evaluationId, acknowledgement: { ...output, decision: 'approve', reasons: '' }, requestId: 'r4' });

    // assess
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).details?.[0]?.field).toBe('body.reasons');
    expect(before!.decision).toBeUndefined();
    expect(first.changed).toBe(true);
    expect(first.record.decision).toMatchObject({ taskId: task.id, decision: 'return', reasons: '下载次数与台账不符', decidedBy: 'chen.jing' });
    expect(again.changed).toBe(false);
    expect((await w.evaluations.get(evaluationId))!.decision).toMatchObject({ decision: 'return', reasons: '下载次数与台账不符' });
    expect(w.actions().filter((a) => a.startsWith('supervision.evaluation.disputed') || a.startsWith('supervision.evaluation.acknowledged'))).toEqual(['supervision.evaluation.disputed']);
    expect(evaluationView((await w.evaluations.get(evaluationId))!).decision?.decisionLabel).toBe('有异议');
  });

  it('the stored document is read by the custodian and the organiser’s reviewer; another organisation gets 404 as for a missing one', async () => {
    // prepare
    const w = evaluationWorld();
    await runQuarterlyEvaluations(w.ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });
    const files = { get: async (k: string) => (w.files.has(k) ? new TextEncoder().encode(w.files.get(k)!) : undefined) };
    const read = (actor: Partial<Principal>, id = evaluationId) => readEvaluationFile({ identity, evaluations: w.evaluations, files }, { actor: { roles: [], clearance: 'public', ...actor } as Principal, evaluationId: id });

    // act
    const custodian = await read({ userId: 'zhang.wei', orgCode: '440000-CUS', roles: ['custodian'] });
    const reviewer = await read({ userId: 'chen.jing', orgCode: '440000-NR', roles: ['reviewer'] });
    const other = await read({ userId: 'x', orgCode: '450000-CUS', roles: ['custodian'] }).catch((e: unknown) => e);
    const missing = await read({ userId: 'chen.jing', orgCode: '440000-NR', roles: ['reviewer'] }, '440000-CUS.440000-NR.2026-Q3').catch((e: unknown) => e);

    // assess
    expect(new TextDecoder().decode(custodian.body)).toContain('成果利用与质量季度评价');
    expect(reviewer.record.sha256).toBe(custodian.record.sha256);
    expect(other).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
  });
});

const evaluationId = '440000-CUS.440000-NR.2026-Q4';
const docKey = 'evaluations/440000-CUS/2026-Q4/利用与质量评价-440000-NR-2026-Q4.html';

/** The schedule's ports in memory: the documents bucket, the registry and logs tables (real conditional writes and audit chain), a recording Step Functions. */
function evaluationWorld() {
  const tables = new InMemoryTables('logs');
  const evaluations = new DynamoEvaluationStore(new InMemoryRegistryAccess(tables));
  const files = new Map<string, string>();
  const mailer = new RecordingMailer();
  const starts: Array<{ machine: string; name: string; input: unknown }> = [];
  const w = {
    tables,
    evaluations,
    files,
    mailer,
    starts,
    alreadyExists: false,
    actions: () => tables.scan('logs').filter((i) => typeof i['action'] === 'string').map((i) => String(i['action'])),
    ports: {
      identity,
      counters,
      files: {
        putOnce: async (k: string, b: Uint8Array | string) => (files.has(k) ? false : (files.set(k, String(b)), true)),
        get: async (k: string) => (files.has(k) ? new TextEncoder().encode(files.get(k)!) : undefined),
      },
      evaluations,
      workflow: {
        start: async (machine: string, name: string, input: unknown) => {
          if (w.alreadyExists) throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
          starts.push({ machine, name, input });
          return `arn:${name}`;
        },
      },
      mailer,
      now: () => new Date('2027-01-01T00:00:00Z'),
    },
  };
  return w;
}
