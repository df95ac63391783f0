import * as z from 'zod/mini';
import { contract } from '#runtime/contract.ts';
import { described } from '#shared/schemas/described.ts';

const notificationSchema = z.object({
  notificationId: described(z.string(), '通知编号（发送时间.随机数）'),
  sentAt: described(z.string(), '邮件发送时间'),
  subject: z.string(),
  text: described(z.string(), '邮件正文（至多 4000 字）'),
  link: described(z.optional(z.string()), '邮件中的第一个链接（任务、报告、通报页面）'),
  read: z.boolean(),
  readAt: z.optional(z.string()),
});

/** 我的通知 (issue 13): the routes' contracts, beside the identity context that serves them (the caller's own). */
export const notificationContracts = {
  ListMyNotifications: contract({
    query: z.object({
      limit: described(z._default(z.string().check(z.regex(/^([1-9]|[1-9]\d|100)$/, '条数应为 1–100')), '20'), '最多列出的条数（1–100，默认 20）'),
      unread: described(z._default(z.enum(['true', 'false']), 'false'), 'true：只列未读'),
    }),
    response: z.object({
      items: z.array(notificationSchema),
      unread: described(z.number().check(z.int()), '未读条数（最近 100 条中）'),
      more: described(z.boolean(), '还有更早的通知'),
    }),
    description: '发给本人邮箱的邮件（任务、提醒、告警、通报），从新到旧；只能查看本人的通知。',
  }),
  MarkNotificationsRead: contract({
    body: z.object({
      ids: described(z.optional(z.array(z.string().check(z.minLength(1)).check(z.maxLength(80))).check(z.maxLength(50))), '要标记的通知编号（至多 50 个）'),
      all: described(z.optional(z.boolean()), 'true：最近 100 条中的全部未读（每次至多 50 条）'),
    }),
    response: z.object({ marked: described(z.number().check(z.int()), '本次标记的条数（已读的不再计入）'), unread: z.number().check(z.int()) }),
    description: '只改本人的未读通知；已读的、不是本人的编号不作改动；每次改动有审计记录。',
  }),
};
