import { describe, expect, it } from 'vitest';
import type { CounterStore, MonthCounters } from '#shared/ports/supervision.ts';
import { evaluationCounts, evaluationMetricKey } from '#shared/supervision/evaluation-counts.ts';
import { evaluationFigures, evaluationHtml, runQuarterlyEvaluations } from '#shared/supervision/evaluation.ts';
import { parsePeriod } from '#shared/supervision/periods.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';
import { RecordingMailer } from './tasks-fakes.ts';

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
    { org: '440000-CUS', month: '2026-10', values: { 'R19.2.reported': 9, [evaluationMetricKey('440000-NR', 'R15.applications')]: 3, [evaluationMetricKey('440000-NR', 'R16.downloads')]: 5 } },
    { org: '440000-CUS', month: '2026-12', values: { [evaluationMetricKey('440000-NR', 'R15.applications')]: 1, [evaluationMetricKey('440000-NR', 'R19.1.late')]: 1 } },
    // Outside the quarter, and another organiser with nothing but zeros: neither shows.
    { org: '440000-CUS', month: '2026-09', values: { [evaluationMetricKey('440000-NR', 'R15.applications')]: 7 } },
    { org: '440000-CUS', month: '2026-11', values: { [evaluationMetricKey('450000-NR', 'R16.downloads')]: 0 } },
  ]);

describe('R19.2 the custodian’s quarterly use-and-quality evaluation', () => {
  it('figures per organiser come from the custodian’s counters of the quarter’s three months only (key reads, eval:<organiser>:<metric>)', async () => {
    // prepare
    const store = counters();

    // act
    const figures = await evaluationFigures(store, '440000-CUS', q4);

    // assess
    expect(figures).toHaveLength(1);
    expect(figures[0]).toMatchObject({ custodianOrg: '440000-CUS', organiserOrg: '440000-NR', quarter: '2026-Q4' });
    expect(figures[0]!.values).toMatchObject({ 'R15.applications': 4, 'R16.downloads': 5, 'R19.1.late': 1, 'R19.2.reported': 0 });
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
      { custodianOrg: '440000-CUS', organiserOrg: '<b>x</b>', quarter: '2026-Q4', values: { 'R15.applications': 1, 'R15.approved': 0, 'R16.downloads': 0, 'R19.1.due': 0, 'R19.reports': 0, 'R19.1.late': 0, 'R19.2.reported': 0, 'R19.2.confirmed': 0, 'R19.3.fixed': 0 } },
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

  it('the schedule evaluates the last whole quarter: one document per pair, the reviewers emailed once; a re-run writes nothing and sends nothing', async () => {
    // prepare
    const files = new Map<string, string>();
    const mailer = new RecordingMailer();
    const ports = { identity, counters, files: { putOnce: async (k: string, b: Uint8Array | string) => (files.has(k) ? false : (files.set(k, String(b)), true)) }, mailer, now: () => new Date('2027-01-01T00:00:00Z') };

    // act
    const first = await runQuarterlyEvaluations(ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });
    const second = await runQuarterlyEvaluations(ports, { scheduledTime: new Date('2027-01-01T00:00:00Z') });

    // assess
    expect(first.quarter).toBe('2026-Q4');
    expect(first.written.map((w) => w.key)).toEqual(['evaluations/440000-CUS/2026-Q4/利用与质量评价-440000-NR-2026-Q4.html']);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: ['chen.jing@example.gov.cn'] });
    expect(mailer.sent[0]!.subject).toBe('【成果利用与质量评价】广东省国土资源档案馆 <测试> 2026年第四季度');
    expect(mailer.sent[0]!.text).toContain('共享申请 4 件');
    expect(second.written).toEqual([]);
    expect(second.existing).toEqual(first.written.map((w) => w.key));
  });
});
