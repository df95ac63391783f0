import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { isoDateSchema } from '#shared/schemas/calendar.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { applicationStatuses, grantStatuses, maxProductBytes, processingKinds, processingStatuses, idDocumentTypes, maxResultsPerApplication, maxScanBytes, maxSharingDays, mediaTypes, offlineDocumentKinds, reviewStatuses, scanContentTypes, sharingChannels } from '#shared/sharing/model.ts';

const text = (label: string, min: number, max: number) =>
  z.string({ error: `请填写${label}` }).check(z.trim()).check(z.minLength(min, `${label}至少 ${min} 个字`)).check(z.maxLength(max, `${label}不超过 ${max} 字`));

/** POST /sharing/applications (R14.1). */
export const sharingApplicationBodySchema = z.object({
  results: described(z
    .array(z.object({
      resultNumber: resultNumberSchema,
      files: described(z.optional(z.array(z.string().check(z.minLength(1)).check(z.maxLength(1024))).check(z.maxLength(1000))), '只申请部分文件时列出文件路径；不填为整个成果'),
    }), { error: '请列出申请的成果' })
    .check(z.minLength(1, '至少申请 1 项成果')).check(z.maxLength(maxResultsPerApplication, `每份申请最多 ${maxResultsPerApplication} 项成果`)), '申请的成果（统一编号）及内容'),
  purpose: described(text('用途', 5, 1000), '用途'),
  scope: described(text('使用范围', 2, 1000), '使用范围（哪些单位、哪些工作中使用）'),
  period: described(z.object({ from: isoDateSchema, to: isoDateSchema }, { error: '请填写使用期限' }), `使用期限（最长 ${maxSharingDays} 天）`),
  contact: described(z.object({
    name: z.string({ error: '请填写联系人' }).check(z.trim()).check(z.minLength(1, '请填写联系人')).check(z.maxLength(50)),
    phone: z.string({ error: '请填写联系电话' }).check(z.trim()).check(z.regex(/^[0-9+\-() ]{5,30}$/, '联系电话格式不正确')),
    email: z.optional(z.email('邮箱格式不正确')),
  }, { error: '请填写联系人' }), '联系人'),
  channel: described(z.optional(z.enum(sharingChannels, { error: '共享方式应为 online（在线，默认）或 offline（离线）' })), 'online 在线（默认）· offline 离线（须说明原因；含秘密及以上成果时自动为离线）'),
  offlineReason: described(z.optional(z.string().check(z.maxLength(1000))), '离线共享的原因（在线方式不能满足的理由）'),
  users: described(z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(50))), '本单位其他授权使用人（用户名）；申请人本人总是授权使用人'),
  processing: described(z.optional(z.object({
    kinds: z.array(z.enum(processingKinds, { error: '加工方式应为 clip、convert 或 merge' })).check(z.minLength(1, '至少 1 种加工方式')).check(z.maxLength(3)),
    spec: text('加工要求', 5, 2000),
  })), '按需加工（R13.1，在线）：clip 裁切 · convert 转换 · merge 合并；spec 范围、格式、图层'),
});
export type SharingApplicationBody = z.infer<typeof sharingApplicationBodySchema>;

const offlineViewSchema = z.object({
  classification: classificationSchema,
  classificationLabel: z.string(),
  from: z.string(),
  to: z.string(),
  fileCount: z.number(),
  files: described(z.array(z.object({ resultNumber: z.string(), path: z.string(), sha256: z.string(), size: z.number() })), '同意共享的文件清单（保管副本的 SHA-256）：交接时写入介质的文件逐一与之核对'),
  documents: z.array(z.object({
    docId: z.string(),
    kind: z.enum(offlineDocumentKinds),
    kindLabel: z.string(),
    number: z.string(),
    sha256: z.string(),
    size: z.number(),
    issuedAt: z.string(),
    addressedTo: z.string(),
    copiedTo: z.array(z.string()),
    href: z.string(),
  })),
  confidentialityRequired: z.boolean(),
  scan: z.optional(z.object({ sha256: z.string(), size: z.number(), contentType: z.string(), requestedBy: z.string(), requestedAt: z.string(), verified: z.boolean(), verifiedAt: z.optional(z.string()) })),
  handovers: z.array(z.object({
    custodianOrg: z.string(),
    recordedBy: z.string(),
    recordedAt: z.string(),
    date: z.string(),
    collector: z.object({ name: z.string(), organisation: z.string(), idType: z.enum(idDocumentTypes), idTypeLabel: z.string(), idNumberMasked: z.string() }),
    media: z.object({ type: z.enum(mediaTypes), typeLabel: z.string(), serial: z.string() }),
    files: z.array(z.object({ resultNumber: z.string(), path: z.string(), sha256: z.string(), size: z.number() })),
  })),
});

const timelineEventSchema = z.object({ at: z.string(), atLabel: z.string(), type: z.string(), by: z.string(), note: z.string() });

export const applicationViewSchema = z.object({
  applicationId: z.string(),
  requesterOrg: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  items: z.array(z.object({
    resultNumber: z.string(),
    hidden: described(z.boolean(), '超出读者密级权限：只显示统一编号'),
    content: z.string(),
    name: z.optional(z.string()),
    classification: z.optional(classificationSchema),
    classificationLabel: z.optional(z.string()),
    organiserOrg: z.optional(z.string()),
    custodianOrg: z.optional(z.string()),
    files: z.optional(z.array(z.string())),
  })),
  purpose: z.string(),
  scope: z.string(),
  period: z.object({ from: z.string(), to: z.string() }),
  contact: z.object({ name: z.string(), phone: z.string(), email: z.optional(z.string()) }),
  channel: z.enum(sharingChannels),
  channelLabel: z.string(),
  offlineReason: z.optional(z.string()),
  users: z.array(z.string()),
  basedOn: described(z.optional(z.string()), '重新申请（新版本推送）所依据的原申请编号'),
  overdueUseReports: described(z.optional(z.array(z.object({ grantId: z.string(), due: z.string() }))), '申请单位申请时逾期未交的利用情况报告（R19.1，供审核人参考）'),
  processing: z.optional(z.object({ kinds: z.array(z.enum(processingKinds)), kindLabels: z.string(), spec: z.string() })),
  status: z.enum(applicationStatuses),
  statusLabel: z.string(),
  reviews: z.array(z.object({
    organiserOrg: z.string(),
    resultNumbers: z.array(z.string()),
    status: z.enum(reviewStatuses),
    statusLabel: z.string(),
    decision: z.optional(z.object({ decision: z.string(), reasons: z.string(), decidedBy: z.string(), decidedAt: z.string() })),
    grantId: z.optional(z.string()),
    offline: z.optional(offlineViewSchema),
  })),
  timeline: described(z.array(timelineEventSchema), '办理记录：提交、送审、同意/不予共享（含理由）、授权、签署、撤销'),
});

const signatureSchema = z.object({ by: z.string(), name: z.string(), at: z.string(), sha256: z.string() });

export const useReportViewSchema = z.object({
  by: z.string(),
  byName: z.string(),
  at: z.string(),
  application: z.string(),
  projects: z.array(z.string()),
  outcomes: z.string(),
  problems: z.string(),
  late: z.boolean(),
});
export const useReportSlotViewSchema = z.object({
  due: z.string(),
  kind: z.enum(['yearly', 'end']),
  status: z.enum(['due', 'overdue', 'in']),
  statusLabel: z.string(),
  report: z.optional(useReportViewSchema),
});

/** GET /sharing/use-reports (R19.1): one due use report of a grant. */
export const useReportRowSchema = z.extend(useReportSlotViewSchema, {
  grantId: z.string(),
  applicationId: z.string(),
  requesterOrg: z.string(),
  organiserOrg: z.string(),
  resultNumbers: z.array(z.string()),
  purpose: z.string(),
  from: z.string(),
  to: z.string(),
  grantStatus: z.enum(grantStatuses),
  grantStatusLabel: z.string(),
  signed: described(z.boolean(), '使用协议已签署（未签署的授权未提供成果，无需报送）'),
  workingDaysLeft: described(z.optional(z.number().check(z.int())), '距应交日期的工作日数（逾期为负数）；已提交时不返回'),
});

/** R13.1: the processing on a grant as its readers see it. */
export const processingViewSchema = z.object({
  kinds: z.array(z.enum(processingKinds)),
  kindLabels: z.string(),
  spec: z.string(),
  status: z.enum(processingStatuses),
  statusLabel: z.string(),
  consent: z.object({ by: z.string(), at: z.string() }),
  proposal: z.optional(z.object({ what: z.string(), doneBy: z.string(), due: z.string(), by: z.string(), org: z.string(), at: z.string() })),
  acceptance: z.optional(z.object({ by: z.string(), at: z.string() })),
  upload: z.optional(z.object({ name: z.string(), sha256: z.string(), size: z.number(), contentType: z.string(), by: z.string(), at: z.string() })),
  delivery: z.optional(z.object({ by: z.string(), at: z.string(), fileNo: z.number() })),
  free: described(z.literal(true), '不收费（R13.1）'),
});

export const processingProposalBodySchema = z.object({
  what: text('加工内容', 5, 2000),
  doneBy: text('承担者', 2, 200),
  due: described(isoDateSchema, '交付日期（期限监督）'),
});

export const processingUploadBodySchema = z.object({
  name: z.string({ error: '请填写文件名' }).check(z.trim()).check(z.regex(/^[^/\\\u0000-\u001f]{1,200}$/, '文件名不能含路径，1–200 字')),
  sha256: z.string({ error: '请填写 SHA-256' }).check(z.regex(/^[0-9a-fA-F]{64}$/, 'SHA-256 应为 64 位十六进制')),
  size: z.number({ error: '请填写字节数' }).check(z.int('字节数应为整数')).check(z.gte(1, '字节数至少为 1')).check(z.lte(maxProductBytes, `不超过 ${maxProductBytes / 1024 / 1024} MB`)),
  contentType: z._default(z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, '类型格式不正确')), 'application/octet-stream'),
});

export const grantViewSchema = z.object({
  grantId: z.string(),
  applicationId: z.string(),
  requesterOrg: z.string(),
  users: z.array(z.string()),
  organiserOrg: z.string(),
  custodianOrgs: z.array(z.string()),
  resultNumbers: z.array(z.string()),
  classification: classificationSchema,
  classificationLabel: z.string(),
  from: z.string(),
  to: z.string(),
  expired: z.boolean(),
  purpose: z.string(),
  scope: z.string(),
  status: z.enum(grantStatuses),
  statusLabel: z.string(),
  files: z.array(z.object({ fileNo: described(z.number(), '下载地址中的文件序号 files/{fileNo}'), resultNumber: z.string(), path: z.string(), size: z.number(), sha256: z.string(), processed: z.optional(z.literal(true)) })),
  notice: described(z.optional(z.object({ fileNo: z.number(), path: z.string(), size: z.number(), sha256: z.string() })), '用途声明（R18.1）：授权编号、使用单位、用途、范围、期限、密级、不得向第三方提供；与文件一样按 files/{fileNo} 下载，列入 BagIt 清单'),
  signature: z.optional(signatureSchema),
  revocation: z.optional(z.object({ by: z.string(), at: z.string(), reasons: z.string() })),
  subscription: described(z.optional(z.object({ by: z.string(), at: z.string() })), '订阅成果新版本推送（主动推送）'),
  useReports: described(z.optional(z.array(useReportSlotViewSchema)), '应报送的利用情况报告（R19.1）：期限届满（或组织单位确定之日）一份，超过一年的每满一年一份'),
  userChanges: described(z.optional(z.array(z.object({ by: z.string(), at: z.string(), added: z.array(z.string()), removed: z.array(z.string()) }))), '授权使用人的增减记录（R18.1）'),
  processing: described(z.optional(processingViewSchema), '按需加工（R13.1）'),
});

export const processingUploadViewSchema = z.object({
  upload: z.object({ url: z.string(), method: z.literal('PUT'), headers: z.record(z.string(), z.string()), expiresAt: z.string() }),
  grant: grantViewSchema,
});

export const agreementViewSchema = z.object({
  grantId: z.string(),
  text: described(z.string(), '协议全文（签署时提交其 SHA-256）'),
  sha256: z.string(),
  signature: z.optional(signatureSchema),
});

export const signatureBodySchema = z.object({
  sha256: described(z.string({ error: '请提交所阅读协议文本的 SHA-256' }).check(z.regex(/^[0-9a-f]{64}$/, 'SHA-256 应为 64 位小写十六进制')), '所阅读协议文本（UTF-8）的 SHA-256'),
});

export const revocationBodySchema = z.object({
  reasons: described(z.string({ error: '请填写撤销理由' }).check(z.trim()).check(z.minLength(5, '撤销理由至少 5 个字')).check(z.maxLength(1000)), '撤销理由（邮件告知申请人）'),
});

export const usageViewSchema = z.object({
  resultNumber: z.string(),
  rows: z.array(z.object({ resultNumber: z.string(), requesterOrg: z.string(), month: z.string(), downloads: z.number(), bytes: z.number(), distinctUsers: z.number() })),
});

const organiserOrgField = described(z.optional(z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}$/, '组织单位代码格式不正确'))), '申请涉及多个组织单位时指明');
const sha256Field = (what: string) => z.string({ error: `请填写${what}的 SHA-256` }).check(z.regex(/^[0-9a-fA-F]{64}$/, 'SHA-256 应为 64 位十六进制'));

/** POST /sharing/applications/{applicationId}/confidentiality-scan (R17.1). */
export const confidentialityScanBodySchema = z.object({
  organiserOrg: organiserOrgField,
  sha256: sha256Field('扫描件'),
  size: z.number({ error: '请填写扫描件字节数' }).check(z.int('字节数应为整数')).check(z.gte(1, '扫描件不能为空')).check(z.lte(maxScanBytes, `扫描件不超过 ${maxScanBytes / 1024 / 1024} MB`)),
  contentType: z.enum(scanContentTypes, { error: '扫描件应为 PDF、JPEG 或 PNG' }),
});

export const confidentialityScanViewSchema = z.object({
  organiserOrg: z.string(),
  key: z.string(),
  upload: described(z.object({ url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() }), '预签名 PUT：按 headers 原样发送'),
});

const required = (label: string, max: number) => z.string({ error: `请填写${label}` }).check(z.trim()).check(z.minLength(1, `请填写${label}`)).check(z.maxLength(max, `${label}不超过 ${max} 字`));

/** POST /sharing/applications/{applicationId}/handover (R17.1). */
export const handoverBodySchema = z.object({
  organiserOrg: organiserOrgField,
  collector: described(z.object({
    name: required('领取人姓名', 50),
    organisation: required('领取人单位', 100),
    idType: z.enum(idDocumentTypes, { error: '证件类型不正确' }),
    idNumberMasked: z.string({ error: '请填写脱敏后的证件号码' }).check(z.maxLength(40, '证件号码不超过 40 位')),
  }, { error: '请填写领取人' }), '领取人；证件号码须脱敏，如 4401**********1234'),
  date: isoDateSchema,
  media: described(z.object({
    type: z.enum(mediaTypes, { error: '介质类型不正确' }),
    serial: required('介质编号', 100),
  }, { error: '请填写存储介质' }), '存储介质'),
  files: described(z.array(z.object({
    resultNumber: resultNumberSchema,
    path: z.string({ error: '请填写文件路径' }).check(z.minLength(1, '请填写文件路径')).check(z.maxLength(1024)),
    sha256: sha256Field('文件'),
  }), { error: '请列出交接的文件' }).check(z.minLength(1, '至少交接 1 个文件')).check(z.maxLength(10000, '一次最多 10000 个文件')), '写入介质的文件及其 SHA-256'),
});

const userList = (label: string) => z._default(z.array(z.string({ error: `${label}应为用户名` }).check(z.minLength(1, `${label}应为用户名`))).check(z.maxLength(50, `${label}每次最多 50 人`)), []);

/** POST /sharing/grants/{grantId}/users (R18.1): the requester adjusts its own named users within the grant. */
export const grantUsersBodySchema = z.object({
  add: described(userList('增加的授权使用人'), '增加的授权使用人（本单位在用用户的用户名）'),
  remove: described(userList('移除的授权使用人'), '移除的授权使用人（用户名）'),
});

/** POST /sharing/grants/{grantId}/use-reports (R19.1): how the results were applied. */
export const useReportBodySchema = z.object({
  application: described(text('应用情况', 10, 4000), '成果的应用方式和应用情况'),
  projects: described(z.array(z.string().check(z.trim()).check(z.minLength(2, '项目名称至少 2 个字')).check(z.maxLength(200, '项目名称不超过 200 字')), { error: '请列出应用成果的项目' }).check(z.minLength(1, '至少列出 1 个应用项目')).check(z.maxLength(50, '最多 50 个项目')), '应用成果的项目（名称）'),
  outcomes: described(text('应用成效', 5, 4000), '应用成效'),
  problems: described(z._default(z.string().check(z.trim()).check(z.maxLength(4000, '存在问题不超过 4000 字')), ''), '使用中发现的问题和建议（质量问题另按 POST /feedback/problems 报告）'),
});

/** POST /sharing/derived-products (R18.2). */
export const derivedProductBodySchema = z.object({
  name: described(text('衍生产品名称', 2, 200), '衍生产品名称'),
  description: described(text('说明', 5, 4000), '衍生产品的内容和拟发布方式'),
  processing: described(text('加工处理情况', 5, 4000), '对来源成果做了哪些加工处理（叠加、综合、概括、脱密等）'),
  grantId: described(z.string({ error: '请填写所依据的共享授权编号' }).check(z.minLength(1, '请填写所依据的共享授权编号')), '所依据的共享授权编号'),
  sources: described(z.array(resultNumberSchema, { error: '请列出来源成果的统一编号' }).check(z.minLength(1, '至少 1 项来源成果')).check(z.maxLength(maxResultsPerApplication, `最多 ${maxResultsPerApplication} 项来源成果`)), '来源成果（统一编号）'),
});

export const derivedProductViewSchema = z.object({
  productId: z.string(),
  requesterOrg: z.string(),
  registeredBy: z.string(),
  registeredAt: z.string(),
  name: z.string(),
  description: z.string(),
  processing: z.string(),
  grantId: z.string(),
  sources: z.array(z.object({ resultNumber: z.string(), organiserOrg: z.string(), custodianOrg: z.optional(described(z.string(), '来源成果的保管单位（评价按保管单位计数）')), classification: classificationSchema, classificationLabel: z.string() })),
  reviews: z.array(z.object({
    organiserOrg: z.string(),
    resultNumbers: z.array(z.string()),
    status: z.enum(['pending', 'approved', 'refused', 'notRequired']),
    statusLabel: z.string(),
    decision: z.optional(z.object({ taskId: z.string(), reasons: z.string(), decidedBy: z.string(), decidedAt: z.string() })),
  })),
  status: z.enum(['reviewing', 'publishable', 'refused']),
  statusLabel: z.string(),
  publishable: described(z.boolean(), '全部来源成果均已同意发布（R18.2）'),
  publication: described(
    z.optional(z.object({
      where: z.string(),
      publishedOn: z.string(),
      recordedBy: z.string(),
      recordedAt: z.string(),
      releaseNumber: z.optional(z.string()),
      withdrawn: z.optional(z.object({ at: z.string(), reason: z.string() })),
    })),
    '发布的位置与日期（R18.2）：在本系统之外（登记单位登记），或通过发布版本在本系统公开目录（releaseNumber；发布版本撤回后 withdrawn）',
  ),
  release: described(
    z.optional(z.object({
      releaseNumber: z.string(),
      sourceNumber: z.string(),
      state: z.enum(['pending', 'released', 'withdrawn']),
      stateLabel: z.string(),
      createdBy: z.string(),
      createdByOrg: z.string(),
      createdAt: z.string(),
    })),
    '通过本系统发布流程发布的发布版本（R18.2）：编号、源成果、状态（发布流程中 / 已发布 / 已撤回）',
  ),
  timeline: z.array(timelineEventSchema),
});

/** POST /sharing/derived-products/{productId}/publication (R18.2). */
export const derivedPublicationBodySchema = z.object({
  where: described(text('发布位置', 2, 500), '在本系统之外发布的位置：网站地址、出版物或图件名称'),
  publishedOn: described(isoDateSchema, '发布日期'),
});
