import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { pingStatuses } from '#shared/ports/ping.ts';

export const startPingBodySchema = z.object({
  message: z.string().trim().min(1, '请填写测试内容（1–200 个字）').max(200, '测试内容不能超过 200 个字').describe('测试内容，写入邮件与审计记录'),
});
export type StartPingBody = z.infer<typeof startPingBodySchema>;

export const pingViewSchema = z.object({
  pingId: z.string().describe('连通性测试编号，也是流程执行名称'),
  status: z.enum(pingStatuses).describe('started 已启动 · waiting 等待确认 · acknowledged 已确认 · timedOut 超时 · failed 失败'),
  executionArn: z.string().describe('Step Functions 执行 ARN'),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  time: z.iso.datetime(),
  version: z.string(),
  checks: z.object({ registry: z.object({ ok: z.boolean(), ms: z.number().optional() }) }),
});

/** Contracts of the platform routes, keyed by manifest function name. */
export const platformContracts = {
  HealthCheck: contract({
    degraded: { status: 503, description: '登记表不可读：响应结构相同，status 为 degraded' },
    response: healthSchema,
    description: '存活检查：读取一次登记表。无需登录；表不可读时返回 503。',
  }),
  StartPing: contract({
    success: [202],
    body: startPingBodySchema,
    response: pingViewSchema,
    description:
      '启动连通性流程：写入测试记录（含审计），启动 Ping 状态机；流程在“等待确认”步骤给发起人发邮件并等待任务令牌回调（SendTaskSuccess）。返回 202。',
  }),
};
