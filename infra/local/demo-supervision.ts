/**
 * The supervision demo (issue 14): a month and a half of clock history for
 * 广东省 written as audited records whose `detail.supervision` starts and
 * meets clocks on past dates (the same path as the events': clock and counter
 * items in the record's own transaction, so `supervision:rebuild-counters`
 * agrees), then last month's bulletin for 广东省自然资源厅, emailed to 周红.
 * Some units are late, a verification round was returned, and an R9.1
 * catalogue report is overdue; one security incident (a lost drive, R20.1) was
 * reported and verified in the middle of last month. Last quarter's self-inspection of 广东省自然资源技术中心 is
 * missing (late). Every record is marked as demo history.
 */
import { bulletinRenderers } from '#adapters/bulletin-render.ts';
import { DynamoIncidentResults, DynamoIncidentStore } from '#adapters/dynamo-incidents.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { DynamoSupervisionStore, withSupervisionItems } from '#adapters/dynamo-supervision.ts';
import { bulletinFilesFromEnv } from '#adapters/s3-bulletins.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate, addCalendarDays } from '#shared/calendar/dates.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { clockType } from '#shared/supervision/clock-types.ts';
import { withSupervision, type ClockStart, type CountIncrement } from '#shared/supervision/clocks.ts';
import { issueBulletin } from '#shared/supervision/bulletin.ts';
import type { Incident } from '#shared/supervision/incidents.ts';
import { lastWholePeriod } from '#shared/supervision/periods.ts';
import { fileSelfInspection, openSelfInspections } from '#shared/supervision/self-inspections.ts';
import { DynamoSelfInspectionStore } from '#adapters/dynamo-self-inspections.ts';
import { demoActor, demoMark } from './demo-data.ts';

interface HistoryClock {
  readonly type: 'R6.1' | 'R7.2' | 'R8.1' | 'R9.1';
  readonly subject: string;
  readonly owner: string;
  readonly region: string;
  readonly title: string;
  /** Due this many calendar days before today (moved to a working day). */
  readonly dueDaysAgo: number;
  /** Met this many days before today; absent = still open (overdue when due is past). */
  readonly metDaysAgo?: number;
  /** Counters the starting event adds (e.g. a returned verification round). */
  readonly count?: readonly Omit<CountIncrement, 'org'>[];
}

/** Last month: late units, a returned round, an overdue R9.1 report; the month before, for the comparison and the trend. */
export const supervisionHistory: readonly HistoryClock[] = [
  { type: 'R6.1', subject: 'demo-gd-nature-2026', owner: '440000-IMP', region: '440000', title: '2026年度广东省自然保护地监测', dueDaysAgo: 20, metDaysAgo: 25 },
  { type: 'R6.1', subject: 'demo-gd-coast-2026', owner: '440000-IMP', region: '440000', title: '2026年广东省海岸线修测', dueDaysAgo: 25, metDaysAgo: 10 },
  { type: 'R6.1', subject: 'demo-ch-forestland-2026', owner: '440117-NR', region: '440117', title: '从化区2026年林地年度变更调查', dueDaysAgo: 15, metDaysAgo: 5 },
  { type: 'R6.1', subject: 'demo-gz-cover-2026h1', owner: '440100-NR', region: '440100', title: '广州市2026年上半年地表覆盖监测', dueDaysAgo: 12, metDaysAgo: 14 },
  {
    type: 'R7.2',
    subject: 'demo-gd-coast-2026#v1',
    owner: '440000-IMP',
    region: '440000',
    title: '2026年广东省海岸线修测（第 1 轮退回：坐标系不符）',
    dueDaysAgo: 9,
    metDaysAgo: 16,
    count: [{ metric: 'R7.rounds' }, { metric: 'R7.firstRounds' }, { metric: 'R7.returns' }, { metric: 'R7.rule.crs.not-cgcs2000' }],
  },
  { type: 'R8.1', subject: 'demo-gd-bgdc-2025', owner: '440000-NR', region: '440000', title: '2025年度广东省国土变更调查成果（移交保管）', dueDaysAgo: 22, metDaysAgo: 8, count: [{ metric: 'R7.rounds' }, { metric: 'R7.firstRounds' }, { metric: 'R7.firstRoundPass' }] },
  { type: 'R9.1', subject: 'demo-44-wetland-2024', owner: '440000-CUS', region: '440000', title: '2024年度广东省湿地资源监测成果（目录上报）', dueDaysAgo: 18 },
  { type: 'R9.1', subject: 'demo-44-sandiao-2019', owner: '440000-CUS', region: '440000', title: '广东省第三次全国国土调查主要数据成果（目录上报）', dueDaysAgo: 28, metDaysAgo: 30 },
  { type: 'R6.1', subject: 'demo-gd-mineral-2026', owner: '440000-IMP', region: '440000', title: '2026年度广东省矿产资源储量动态监测', dueDaysAgo: 45, metDaysAgo: 50, count: [{ metric: 'R7.rounds' }, { metric: 'R7.firstRounds' }, { metric: 'R7.firstRoundPass' }] },
  { type: 'R6.1', subject: 'demo-gz-greenland-2026', owner: '440100-NR', region: '440100', title: '广州市2026年城市绿地调查', dueDaysAgo: 55, metDaysAgo: 60 },
  { type: 'R6.1', subject: 'demo-ch-water-2026q2', owner: '440117-NR', region: '440117', title: '从化区2026年第二季度水资源监测', dueDaysAgo: 40, metDaysAgo: 36 },
];

const instant = (day: string) => `${day}T02:00:00.000Z`;

export interface SupervisionDemoPorts {
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations' | 'listUsers'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  /** Catalogued demo results (first start only): the demo incident names the first one. */
  readonly resultNumbers?: readonly string[];
}

/** The demo incident (R20.1): a lost drive with one of 广东省's results, reported in the middle of last month, verified since. */
export const demoIncidentId = 'INC-DEMO-440000-1';

async function writeDemoIncident(registry: DynamoRegistryAccess, resultNumber: string, reportedOn: string, verifiedOn: string): Promise<boolean> {
  const incidents = new DynamoIncidentStore(registry);
  if (await incidents.get(demoIncidentId)) return false;
  const entry = await new DynamoIncidentResults(registry).getEntry(resultNumber);
  if (!entry) return false;
  const reported: Incident = {
    incidentId: demoIncidentId,
    kind: 'loss',
    description: `${demoMark}外业调查人员在出差途中遗失一块存有成果数据的移动硬盘`,
    foundOn: reportedOn,
    measures: '已报告单位保密办，硬盘已全盘加密；正在查找',
    reportedBy: 'li.na',
    reporterOrg: '440000-IMP',
    reportedAt: instant(reportedOn),
    ownerOrg: entry.organiserOrg,
    results: [{ resultNumber, ...entry }],
    state: 'reported',
    timeline: [{ state: 'reported', at: instant(reportedOn), by: 'li.na', byName: '李娜', note: '已报告单位保密办，硬盘已全盘加密；正在查找' }],
  };
  const base = { actor: demoActor, orgCode: entry.organiserOrg, target: `INCIDENT#${demoIncidentId}`, outcome: 'success' as const, requestId: 'demo' };
  await incidents.create(reported, withSupervision({ ...base, action: 'supervision.incident.report', detail: { demo: true, kind: 'loss', resultNumbers: [resultNumber], requirement: 'R20.1' } }, { count: [{ org: entry.organiserOrg, metric: 'R20.1.incidents' }] }, instant(reportedOn)));
  const verified: Incident = { ...reported, state: 'verified', timeline: [...reported.timeline, { state: 'verified', at: instant(verifiedOn), by: 'chen.jing', byName: '陈静', note: '已核实：硬盘确已遗失，数据已加密' }] };
  await incidents.update(verified, 'reported', { ...base, action: 'supervision.incident.verified', detail: { demo: true, from: 'reported', to: 'verified', requirement: 'R20.1' } });
  return true;
}

/**
 * Self-inspections (R20.1) through the real path: last quarter's filing clocks opened on its first day for every
 * custodian and requesting department; 广东省水利厅 filed in the middle of the quarter (one rectification still
 * open), 广东省自然资源技术中心 did not — 周红 sees it late (GET /supervision/self-inspections?period=<last quarter>)
 * and the deadline watch reports it; this quarter's clocks are open. Idempotent (write-once markers and filings).
 */
async function writeSelfInspectionDemo(registry: DynamoRegistryAccess, ports: SupervisionDemoPorts, today: string): Promise<void> {
  const inspections = new DynamoSelfInspectionStore(registry);
  const last = lastWholePeriod(today, 'quarter');
  const first = `${last.months[0]}-01`;
  await openSelfInspections({ identity: ports.identity, inspections, cadence: 'quarterly' }, { scheduledTime: new Date(`${first}T01:00:00.000Z`), executionId: 'demo' });
  const filer = (await ports.identity.listUsers('440000-WR')).find((u) => u.userId === 'luo.xin');
  if (filer) {
    const mid = `${last.months[1]}-15`;
    await fileSelfInspection(
      { identity: ports.identity, inspections, cadence: 'quarterly', now: () => new Date(`${mid}T02:00:00.000Z`) },
      {
        actor: filer,
        period: last.id,
        checklist: {
          storage: { ok: true, note: `${demoMark}共享获取的成果存放于专用计算机，未联网` },
          access: { ok: true, note: '仅 2 名经办人员有访问权限' },
          media: { ok: false, note: '1 个移动硬盘未登记' },
          training: { ok: true, note: '本季度开展保密培训 1 次' },
        },
        findings: `${demoMark}1 个存有共享成果的移动硬盘未登记`,
        rectifications: [{ item: '补登记移动硬盘并加密', owner: '罗欣', due: addCalendarDays(today, 20) }],
        requestId: 'demo',
      },
    );
  }
  await openSelfInspections({ identity: ports.identity, inspections, cadence: 'quarterly' }, { scheduledTime: ports.now(), executionId: 'demo' });
}

/** Writes the history (idempotent: a clock that exists is left as it is) and issues last month's bulletin for 广东省. */
export async function writeSupervisionDemo(ports: SupervisionDemoPorts): Promise<{ clocks: number; bulletin?: string; emailed: readonly string[] }> {
  const registry = new DynamoRegistryAccess(requireEnv(envNames.registryTable));
  const db = withSupervisionItems(registry);
  const calendar = await ports.calendar();
  const today = chinaDate(ports.now());
  let written = 0;
  for (const h of supervisionHistory) {
    if (await registry.get({ pk: `CLOCK#${h.type}#${h.subject}`, sk: 'META' })) continue;
    const type = clockType(h.type)!;
    let due = addCalendarDays(today, -h.dueDaysAgo);
    while (!calendar.isWorkingDay(due)) due = addCalendarDays(due, -1);
    const start = calendar.addWorkingDays(due, -type.days);
    const d = calendar.deadline(start, type.days);
    const clock: ClockStart = { type: h.type, subject: h.subject, ownerOrg: h.owner, regionCode: h.region, title: `${demoMark}${h.title}`, start, due: d.due, provisional: d.provisional, basis: d.basis };
    const entry = (action: string) => ({ actor: demoActor, orgCode: h.owner, action, target: `CLOCK#${h.type}#${h.subject}`, outcome: 'success' as const, requestId: 'demo', detail: { demo: true, note: '演示历史：过去的期限记录' } });
    await db.write([], withSupervision(entry('supervision.demo.history.start'), { start: [clock], ...(h.count ? { count: h.count.map((c) => ({ ...c, org: h.owner })) } : {}) }, instant(start)));
    if (h.metDaysAgo !== undefined) {
      await db.write([], withSupervision(entry('supervision.demo.history.meet'), { meet: [{ type: h.type, subject: h.subject }] }, instant(addCalendarDays(today, -h.metDaysAgo))));
    }
    written += 1;
  }
  const period = lastWholePeriod(today, 'month');
  const mid = `${period.months[0]}-15`;
  if (ports.resultNumbers?.[0]) await writeDemoIncident(registry, ports.resultNumbers[0], mid, `${period.months[0]}-17`);
  await writeSelfInspectionDemo(registry, ports, today);
  const store = new DynamoSupervisionStore(registry);
  const out = await issueBulletin(
    {
      identity: ports.identity,
      counters: () => new DynamoSupervisionStore(registry),
      clocks: store,
      renderers: bulletinRenderers,
      files: bulletinFilesFromEnv(),
      bulletins: store,
      mailer: ports.mailer,
      now: ports.now,
      appBaseUrl: requireEnv(envNames.appBaseUrl),
    },
    { actor: { system: 'MonthlyBulletins' }, org: '440000-NR', period: period.id, requestId: 'demo' },
  );
  return { clocks: written, bulletin: out.bulletin.bulletinId, emailed: out.emailed };
}
