import type { BulletinRecord } from '#shared/ports/supervision.ts';
import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { organisationSchema, regionCodeSchema } from '#shared/schemas/identity.ts';
import { clockSchema } from '#shared/supervision/clocks.ts';
import { classifications } from '#shared/reference/classifications.ts';

export const supervisionOrgCode = described(organisationSchema.shape.code, '组织代码：行政区划代码-类别，如 440000-NR');

export const clockViewSchema = z.extend(clockSchema, {
  typeLabel: described(z.string(), '期限类型中文名称'),
  overdue: described(z.boolean(), '运行中：今天已过期限；已办结：办结晚于期限'),
  workingDaysLeft: described(z.optional(z.number().check(z.int())), '距期限的工作日数（逾期为负数）；已办结时不返回'),
});

export { regionCodeSchema };

export const bulletinSchema = z.object({
  bulletinId: described(z.string(), '通报编号：组织代码.期间，如 440000-NR.2026-11'),
  org: z.string(),
  orgName: z.string(),
  period: described(z.string(), '期间：YYYY-MM 或 YYYY-Qn'),
  periodLabel: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  trigger: z.enum(['schedule', 'request']),
  keyFigures: described(z.array(z.object({ label: z.string(), value: z.string() })), '三项主要指标'),
  worst: described(z.array(z.object({ org: z.string(), name: z.string(), late: z.number().check(z.int()) })), '逾期最多的单位（前五）'),
  itemsRead: described(z.number().check(z.int()), '生成时读取的计数器条目数（不随历史事件增长）'),
  files: z.array(z.enum(['html', 'xlsx', 'json'])),
});
export type BulletinView = z.infer<typeof bulletinSchema>;

/** A bulletin as responses show it: its files by format, never its bucket keys. */
export function bulletinView(b: BulletinRecord): BulletinView {
  return {
    bulletinId: b.bulletinId,
    org: b.org,
    orgName: b.orgName,
    period: b.period,
    periodLabel: b.periodLabel,
    createdAt: b.createdAt,
    createdBy: b.createdBy,
    trigger: b.trigger,
    keyFigures: [...b.keyFigures],
    worst: [...b.worst],
    itemsRead: b.itemsRead,
    files: ['html', 'xlsx', 'json'],
  };
}

// --- security incidents (R20.1, issue 14 §3) ---
import { classificationSchema as incidentClassification } from '#shared/reference/classifications.ts';
import { incidentKinds, incidentStates } from '#shared/supervision/incident-kinds.ts';

export const incidentViewSchema = z.object({
  incidentId: described(z.string(), '事件编号，如 INC-20261203-1a2b3c4d'),
  kind: described(z.enum(incidentKinds), 'leak 泄密、loss 丢失、damage 损毁'),
  kindLabel: z.string(),
  description: z.string(),
  foundOn: described(z.string(), '发现日期'),
  measures: described(z.string(), '报告时已采取的措施'),
  reportedBy: z.string(),
  reporterOrg: z.string(),
  reportedAt: z.string(),
  ownerOrg: described(z.string(), '成果的组织单位（负责处置）'),
  state: described(z.enum(incidentStates), 'reported 已报告 → verified 已核实 → measures 已采取处置措施 → closed 已结案'),
  stateLabel: z.string(),
  results: z.array(
    z.object({
      resultNumber: z.string(),
      hidden: described(z.boolean(), 'true：成果密级高于读者密级，只显示统一编号'),
      name: z.string(),
      classification: z.optional(incidentClassification),
      classificationLabel: z.optional(z.string()),
    }),
  ),
  timeline: z.array(z.object({ state: z.enum(incidentStates), at: z.string(), by: z.string(), byName: z.string(), note: z.string() })),
  conclusions: described(z.optional(z.string()), '结案结论'),
});

/** A security record (R20.1) as GET /supervision/security-records returns it (shared/security/records.ts). */
export const securityRecordViewSchema = z.object({
  org: described(z.string(), '记录归属的组织（请求人所在单位，或被访问记录的组织、实施、保管单位）'),
  time: z.string(),
  requestId: z.string(),
  kind: described(z.enum(['read', 'refused']), 'read 读取内部及以上密级记录；refused 请求被拒绝'),
  actor: described(z.string(), '用户名；anonymous 表示未登录'),
  actorOrg: z.optional(z.string()),
  route: z.string(),
  status: z.number().check(z.int()),
  code: z.optional(z.string()),
  records: z.array(z.object({ target: z.string(), classification: z.enum(classifications), access: z.enum(['read', 'hidden', 'refused']) })),
});

// --- self-inspections (R20.1, issue 14 §3) ---
import { checklistAreas, unitStatuses } from '#shared/supervision/self-inspection-kinds.ts';

const checklistItemSchema = z.object({ ok: described(z.boolean(), 'true 符合要求；false 发现问题'), note: described(z.string(), '检查情况说明') });
export const selfInspectionSchema = z.object({
  inspectionId: described(z.string(), '自查报告编号：组织代码.期间，如 440000-CUS.2026-Q4'),
  org: z.string(),
  orgName: z.string(),
  regionCode: z.string(),
  period: described(z.string(), '自查期间：季度 YYYY-Qn 或月度 YYYY-MM'),
  periodLabel: z.string(),
  due: described(z.string(), '填报期限（期间最后一天）'),
  filedAt: z.string(),
  filedOn: z.string(),
  filedBy: z.string(),
  filedByName: z.string(),
  late: described(z.boolean(), '晚于期限填报'),
  checklist: z.object(Object.fromEntries(checklistAreas.map((a) => [a, checklistItemSchema])) as Record<(typeof checklistAreas)[number], typeof checklistItemSchema>),
  findings: described(z.string(), '发现的问题'),
  rectifications: z.array(
    z.object({
      index: described(z.number().check(z.int()), '整改事项序号（从 0 起）'),
      item: z.string(),
      owner: described(z.string(), '责任人'),
      due: described(z.string(), '整改期限'),
      state: described(z.enum(['open', 'closed']), 'open 整改中；closed 已整改'),
      closedAt: z.optional(z.string()),
      closedBy: z.optional(z.string()),
      closingNote: z.optional(z.string()),
    }),
  ),
  revision: z.number().check(z.int()),
});
export const unitFilingSchema = z.object({
  org: z.string(),
  name: z.string(),
  type: z.string(),
  status: described(z.enum(unitStatuses), 'late 逾期未填报、filedLate 逾期填报、pending 尚未填报（未到期）、filed 已按期填报'),
  statusLabel: z.string(),
  inspection: z.optional(selfInspectionSchema),
});

// --- confidentiality reviews (保密审查, R20.1) ---
export const confidentialityReviewSchema = z.object({
  reviewId: described(z.string(), '审查编号，如 CR-20261203-1a2b3c4d'),
  subjectKind: described(z.enum(['catalogueEntry', 'release']), 'catalogueEntry 目录条目降密或公开；release 发布版本'),
  resultNumber: z.string(),
  entryVersion: described(z.number().check(z.int()), '审查针对的目录条目版本'),
  entryName: z.string(),
  hidden: described(z.boolean(), 'true：条目密级高于读者密级，名称不显示'),
  organiserOrg: z.string(),
  custodianOrg: z.string(),
  provider: z.string(),
  fromClassification: z.enum(classifications),
  toClassification: z.enum(classifications),
  fromLabel: z.string(),
  toLabel: z.string(),
  conclusion: described(z.enum(['approved', 'refused']), 'approved 同意；refused 不同意'),
  conclusionLabel: z.string(),
  basis: described(z.string(), '审查依据'),
  decidedBy: z.string(),
  decidedByName: z.string(),
  decidedOrg: z.string(),
  decidedAt: z.string(),
  state: described(z.enum(['approved', 'refused', 'applied']), 'approved 同意、尚未使用；applied 已用于目录修改；refused 不同意'),
  appliedAt: z.optional(z.string()),
  appliedVersion: z.optional(z.number().check(z.int())),
});

/** A custodian's quarterly use-and-quality evaluation record (R19.2; shared/supervision/evaluation-ack.ts evaluationView). */
export const evaluationViewSchema = z.object({
  evaluationId: described(z.string(), '评价编号：保管单位代码.组织单位代码.季度'),
  custodianOrg: z.string(),
  organiserOrg: z.string(),
  quarter: described(z.string(), '评价期间 YYYY-Qn'),
  key: described(z.string(), '文档库中的存档位置'),
  sha256: described(z.string(), '存档文件的 SHA-256'),
  recordedAt: z.string(),
  figures: described(z.array(z.object({ key: z.string(), label: z.string(), value: z.number() })), '各项数据（件次）'),
  decision: described(
    z.optional(z.object({ taskId: z.string(), decision: z.enum(['approve', 'return']), decisionLabel: z.string(), reasons: z.string(), decidedBy: z.string(), decidedAt: z.string() })),
    '组织单位的确认：approve 已阅，return 有异议（附说明）',
  ),
});
