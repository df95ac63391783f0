import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { publicAnswerOutcomes, publicApplicationKinds, publicApplicationStatuses } from '#shared/sharing/public-model.ts';

const text = (label: string, min: number, max: number) =>
  z.string({ error: `请填写${label}` }).check(z.trim()).check(z.minLength(min, `${label}至少 ${min} 个字`)).check(z.maxLength(max, `${label}不超过 ${max} 字`));
const optionalText = (label: string, max: number) => z.optional(z.string().check(z.trim()).check(z.maxLength(max, `${label}不超过 ${max} 字`)));

/** POST /public/applications (R14.2, R16.3): no account. */
export const publicApplicationBodySchema = z.object({
  kind: described(z.enum(publicApplicationKinds, { error: 'kind 应为 reuse（进一步利用已发布成果）或 disclosure（政府信息公开申请）' }), 'reuse 进一步利用已发布成果 · disclosure 政府信息公开申请'),
  name: described(text('姓名或名称', 1, 100), '申请人姓名（公民）或名称（法人、其他组织）'),
  organisation: described(optionalText('工作单位', 200), '工作单位或组织（可不填）'),
  phone: described(z.string({ error: '请填写联系电话' }).check(z.trim()).check(z.regex(/^[0-9+\-() ]{5,30}$/, '联系电话格式不正确')), '联系电话'),
  address: described(optionalText('通信地址', 300), '通信地址（可不填）'),
  email: described(z.email({ error: '邮箱格式不正确' }).check(z.maxLength(254, '邮箱过长')), '电子邮箱（接收验证码和答复）'),
  resultNumber: described(z.optional(resultNumberSchema), '申请利用的已发布成果的统一编号（进一步利用时必填）'),
  answeringOrg: described(z.optional(z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}$/, '机关代码格式应为“行政区划代码-类别”，如 440000-NR'))), '申请公开信息的机关（不涉及具体成果时必填）'),
  subject: described(text('申请的成果或信息', 5, 2000), '申请的成果或政府信息的内容描述'),
  purpose: described(text('用途', 5, 2000), '申请用途（为什么需要）'),
});

export const verificationBodySchema = z.object({
  code: described(z.string({ error: '请填写验证码' }).check(z.regex(/^\d{6}$/, '验证码为 6 位数字')), '邮件收到的 6 位验证码'),
});

export const publicExtensionBodySchema = z.object({
  reason: described(z.string({ error: '请填写延长理由' }).check(z.trim()).check(z.maxLength(1000, '延长理由不超过 1000 字')), '延长答复期限的理由（至少 5 个字，邮件告知申请人）'),
});

export const publicAnswerBodySchema = z.object({
  outcome: described(z.enum(publicAnswerOutcomes, { error: 'outcome 应为 granted（予以提供）、partly（部分提供）或 refused（不予提供）' }), 'granted 予以提供 · partly 部分提供 · refused 不予提供'),
  legalGround: described(z.optional(z.string().check(z.trim()).check(z.maxLength(1000, '法律依据不超过 1000 字'))), '法律依据（部分提供、不予提供时必填）'),
  text: described(z.string({ error: '请填写答复内容' }).check(z.trim()).check(z.maxLength(5000, '答复内容不超过 5000 字')), '答复内容（邮件告知申请人）'),
});

const timelineEventSchema = z.object({ at: z.string(), atLabel: z.string(), type: z.string(), by: z.string(), note: z.string() });

/** What the applicant is told on submission: where to send the code. */
export const publicSubmissionViewSchema = z.object({
  applicationId: z.string(),
  status: z.enum(publicApplicationStatuses),
  statusLabel: z.string(),
  expiresAt: described(z.string(), '验证码有效期至'),
  message: z.string(),
});

/** What the applicant is told on verification: received, and the answer's due date. */
export const publicReceiptViewSchema = z.object({
  applicationId: z.string(),
  status: z.enum(publicApplicationStatuses),
  statusLabel: z.string(),
  receivedOn: z.string(),
  due: z.string(),
  message: z.string(),
});

export const publicApplicationViewSchema = z.object({
  applicationId: z.string(),
  kind: z.enum(publicApplicationKinds),
  kindLabel: z.string(),
  applicant: z.object({ name: z.string(), organisation: z.optional(z.string()), phone: z.string(), address: z.optional(z.string()) }),
  email: z.string(),
  resultNumber: z.optional(z.string()),
  answeringOrg: z.string(),
  subject: z.string(),
  purpose: z.string(),
  submittedAt: z.string(),
  status: z.enum(publicApplicationStatuses),
  statusLabel: z.string(),
  receivedOn: z.optional(z.string()),
  due: z.optional(z.string()),
  overdue: z.optional(z.boolean()),
  extension: z.optional(z.object({ by: z.string(), at: z.string(), reason: z.string(), previousDue: z.string(), due: z.string() })),
  answer: z.optional(z.object({ outcome: z.enum(publicAnswerOutcomes), outcomeLabel: z.string(), legalGround: z.optional(z.string()), text: z.string(), by: z.string(), at: z.string() })),
  timeline: z.array(timelineEventSchema),
});
