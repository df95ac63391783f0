/**
 * The bulletin's sections (R21.1), declared like clock types: a later
 * context (publication, sharing, use) feeds counters under the metric names
 * its section declares, and its section fills in with no change to the
 * bulletin. A section whose metrics are all zero in the whole trend window
 * shows "尚无数据".
 */
export interface SectionMetric {
  readonly key: string;
  readonly label: string;
  /** Computed from other metrics of the same row (rates, still missing). */
  readonly derive?: (v: Readonly<Record<string, number>>) => number | null;
  /** Shown as a percentage. */
  readonly percent?: boolean;
}

export interface BulletinSection {
  readonly id: string;
  /** Chinese title; also the XLSX sheet name (≤ 31 characters). */
  readonly title: string;
  readonly requirements: string;
  readonly metrics: readonly SectionMetric[];
}

const declared = new Map<string, BulletinSection>();
export function declareBulletinSection(section: BulletinSection): BulletinSection {
  if (section.title.length > 31) throw new Error(`bulletin section ${section.id}: a sheet name has at most 31 characters`);
  declared.set(section.id, section);
  return section;
}
export function bulletinSections(): BulletinSection[] {
  return [...declared.values()];
}

const rate = (num: string, den: string) => (v: Readonly<Record<string, number>>) => ((v[den] ?? 0) > 0 ? (v[num] ?? 0) / v[den]! : null);
const missing = (type: string) => (v: Readonly<Record<string, number>>) =>
  Math.max(0, (v[`clock.${type}.due`] ?? 0) - (v[`clock.${type}.onTime`] ?? 0) - (v[`clock.${type}.late`] ?? 0));
const clockMetrics = (type: string, dueLabel: string): SectionMetric[] => [
  { key: `clock.${type}.due`, label: dueLabel },
  { key: `clock.${type}.onTime`, label: '按期办结' },
  { key: `clock.${type}.late`, label: '逾期办结' },
  { key: `missing.${type}`, label: '尚未办结', derive: missing(type) },
  { key: `rate.${type}`, label: '按期率', derive: rate(`clock.${type}.onTime`, `clock.${type}.due`), percent: true },
];

declareBulletinSection({ id: 'submission', title: '成果汇交（R6.1）', requirements: 'R6.1', metrics: clockMetrics('R6.1', '本期应汇交') });
declareBulletinSection({
  id: 'verification',
  title: '成果核验（R7）',
  requirements: 'R7.1 R7.2',
  metrics: [
    { key: 'R7.rounds', label: '核验轮次' },
    { key: 'R7.firstRounds', label: '首轮核验' },
    { key: 'R7.firstRoundPass', label: '首轮通过' },
    { key: 'rate.firstRound', label: '首轮通过率', derive: rate('R7.firstRoundPass', 'R7.firstRounds'), percent: true },
    { key: 'R7.returns', label: '退回次数' },
    { key: 'clock.R7.2.late', label: '逾期重新汇交' },
  ],
});
declareBulletinSection({ id: 'transfer', title: '成果移交（R8.1）', requirements: 'R8.1', metrics: clockMetrics('R8.1', '本期应移交') });
declareBulletinSection({ id: 'forestry', title: '林草成果副本（R8.2）', requirements: 'R8.2', metrics: [...clockMetrics('R8.2', '本期应送副本'), { key: 'R8.2.sent', label: '已送副本' }, { key: 'R8.2.acknowledged', label: '对方已确认' }] });
declareBulletinSection({
  id: 'catalogueReport',
  title: '目录上报（R9.1）',
  requirements: 'R9.1',
  metrics: [...clockMetrics('R9.1', '本期应上报条目'), { key: 'R9.1.reports', label: '上报次数' }],
});
declareBulletinSection({ id: 'integrity', title: '完整性核查（R10.1）', requirements: 'R10.1', metrics: [{ key: 'R10.1.audits', label: '核查次数' }, { key: 'R10.1.findings', label: '发现问题' }] });
declareBulletinSection({
  id: 'security',
  title: '安全保密（R20.1）',
  requirements: 'R20.1',
  metrics: [
    { key: 'R20.1.incidents', label: '报告事件' },
    { key: 'R20.1.selfInspections', label: '自查报告' },
    { key: 'clock.R20.1.due', label: '应填报自查' },
    { key: 'clock.R20.1.late', label: '逾期填报自查' },
    { key: 'missing.R20.1', label: '尚未填报自查', derive: missing('R20.1') },
    { key: 'R20.1.rectifications', label: '整改事项' },
    { key: 'clock.R20.1.rect.onTime', label: '按期整改' },
    { key: 'clock.R20.1.rect.late', label: '逾期整改' },
    { key: 'R20.1.confidentialityReviews', label: '保密审查' },
  ],
});
// Publication (issue 15): counted in the transactions of the request and its decisions (shared/publication/supervision.ts),
// of the release's approval, publication and withdrawal (shared/publication/publish.ts) and of each download.
const average = (total: string, n: string) => (v: Readonly<Record<string, number>>) => ((v[n] ?? 0) > 0 ? Math.round(((v[total] ?? 0) / v[n]!) * 10) / 10 : null);
declareBulletinSection({
  id: 'publication',
  title: '成果发布（R11–R12）',
  requirements: 'R11.1 R12.1',
  metrics: [
    { key: 'R11.requests', label: '发布申请' },
    { key: 'R11.returns', label: '保密审查退回' },
    { key: 'R12.granted', label: '审批同意' },
    { key: 'R12.refusals', label: '不予发布' },
    { key: 'avg.R12.grantDays', label: '平均审批用时（工作日）', derive: average('R12.grantDays', 'R12.granted') },
    { key: 'clock.R11.1.late', label: '逾期保密审查' },
    { key: 'clock.R12.1.late', label: '逾期审批' },
    { key: 'R12.approvals', label: '批准发布' },
    { key: 'R11.published', label: '发布成果' },
    { key: 'R11.withdrawn', label: '撤回' },
    { key: 'R17.2.downloads', label: '公开下载' },
  ],
});
declareBulletinSection({ id: 'sharing', title: '共享服务（R13–R17）', requirements: 'R13.1–R17.2', metrics: [{ key: 'R15.applications', label: '共享申请' }, { key: 'R15.approved', label: '批准' }, { key: 'R16.downloads', label: '下载与调用' }, { key: 'R17.handovers', label: '离线交接' }] });
declareBulletinSection({ id: 'use', title: '成果利用（R18–R19）', requirements: 'R18.1–R19.3', metrics: [{ key: 'R19.reports', label: '已交利用情况报告' }, { key: 'R19.1.due', label: '应交利用报告（新授权）' }, { key: 'R19.1.late', label: '逾期提交利用报告' }, { key: 'clock.R19.1.due', label: '本期到期利用报告（使用单位）' }, { key: 'missing.R19.1', label: '到期未交利用报告（使用单位）', derive: missing('R19.1') }, { key: 'R18.2.reviewed', label: '衍生产品保密审查' }, { key: 'R19.qualityProblems', label: '质量问题' }, { key: 'R19.2.reported', label: '报告质量问题' }, { key: 'R19.2.confirmed', label: '确认质量问题' }, { key: 'R19.3.escalated', label: '重大问题提请核实' }, { key: 'R19.3.fixed', label: '已改正' }] });
