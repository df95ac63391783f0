import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { pingStatuses } from '#shared/ports/ping.ts';

export const startPingBodySchema = z.object({
  message: described(z.string().check(z.trim()).check(z.minLength(1, '请填写测试内容（1–200 个字）')).check(z.maxLength(200, '测试内容不能超过 200 个字')), '测试内容，写入邮件与审计记录'),
});
export type StartPingBody = z.infer<typeof startPingBodySchema>;

export const pingViewSchema = z.object({
  pingId: described(z.string(), '连通性测试编号，也是流程执行名称'),
  status: described(z.enum(pingStatuses), 'started 已启动 · waiting 等待确认 · acknowledged 已确认 · timedOut 超时 · failed 失败'),
  executionArn: described(z.string(), 'Step Functions 执行 ARN'),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  time: z.iso.datetime(),
  version: z.string(),
  checks: z.object({ registry: z.object({ ok: z.boolean(), ms: z.optional(z.number()) }) }),
});
