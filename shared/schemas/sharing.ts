import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { isoDateSchema } from '#shared/schemas/calendar.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import { applicationStatuses, grantStatuses, idDocumentTypes, maxResultsPerApplication, maxScanBytes, maxSharingDays, mediaTypes, offlineDocumentKinds, reviewStatuses, scanContentTypes, sharingChannels } from '#shared/sharing/model.ts';

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
});
export type SharingApplicationBody = z.infer<typeof sharingApplicationBodySchema>;

const offlineViewSchema = z.object({
  classification: classificationSchema,
  classificationLabel: z.string(),
  from: z.string(),
  to: z.string(),
  fileCount: z.number(),
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
  files: z.array(z.object({ fileNo: described(z.number(), '下载地址中的文件序号 files/{fileNo}'), resultNumber: z.string(), path: z.string(), size: z.number(), sha256: z.string() })),
  signature: z.optional(signatureSchema),
  revocation: z.optional(z.object({ by: z.string(), at: z.string(), reasons: z.string() })),
  subscription: described(z.optional(z.object({ by: z.string(), at: z.string() })), '订阅成果新版本推送（主动推送）'),
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
