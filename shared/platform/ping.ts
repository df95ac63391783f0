import { NotFoundError, PreconditionFailedError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Ping, PingOutcome, PingStore } from '#shared/ports/ping.ts';
import type { TokenVault } from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { escapeHtml } from '#shared/web/html.ts';

/** The manifest name of the state machine this fixture drives. */
export const pingStateMachine = 'Ping';

export interface StartPingPorts {
  readonly pings: PingStore;
  readonly workflow: Workflow;
  readonly newId: () => string;
  readonly now: () => Date;
}

export interface StartPingCommand {
  readonly actor: Principal;
  readonly message: string;
  readonly requestId: string;
}

/**
 * Starts a ping.
 *
 * Primary course:
 *  1. a new ping id; the PING item is written (status `started`) with its audit record;
 *  2. the Ping state machine is started with the ping id as execution name —
 *     a retried StartExecution with the same name and input is the same
 *     execution, so an SDK retry cannot start a second one;
 *  3. the caller gets the ping id and the execution ARN (202: the rest is asynchronous).
 */
export async function startPing(cmd: StartPingCommand, ports: StartPingPorts): Promise<{ ping: Ping; executionArn: string }> {
  const pingId = ports.newId();
  const at = ports.now().toISOString();
  const ping: Ping = {
    pingId,
    message: cmd.message,
    requestedBy: cmd.actor.userId,
    orgCode: cmd.actor.orgCode,
    status: 'started',
    createdAt: at,
    updatedAt: at,
  };
  await ports.pings.create(ping, {
    actor: cmd.actor.userId,
    orgCode: cmd.actor.orgCode,
    action: 'platform.ping.start',
    target: `PING#${pingId}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { message: cmd.message },
  });
  const executionArn = await ports.workflow.start(pingStateMachine, pingId, {
    pingId,
    requestedBy: cmd.actor.userId,
    orgCode: cmd.actor.orgCode,
  });
  return { ping, executionArn };
}

export interface PingWaitPorts {
  readonly pings: PingStore;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly now: () => Date;
  readonly appBaseUrl: string;
  /** Seals the task token at rest, as the human-task facility does. */
  readonly vault: TokenVault;
}

/** The context a ping's task token is sealed under: a token sealed for one ping cannot be opened as another's. */
export function pingTokenContext(pingId: string): string {
  return `PING#${pingId}`;
}

export const pingWaitingSubject = '连通性测试：流程正在等待确认';

function systemEntry(fn: string, ping: { pingId: string; orgCode?: string }, action: string, requestId: string, detail: Record<string, unknown>): AuditEntry {
  return {
    actor: `system:${fn}`,
    orgCode: ping.orgCode ?? 'SYSTEM',
    action,
    target: `PING#${ping.pingId}`,
    outcome: 'success',
    requestId,
    detail,
  };
}

/**
 * The waitForTaskToken step.
 *
 * Primary course:
 *  1. the ping exists (else NotFoundError, which fails the state);
 *  2. the task token is sealed (KMS / local AES key, context `PING#<id>`) and
 *     stored on it, status `waiting`, with its audit record (the record names
 *     the execution, never the token);
 *  3. the caller is emailed that the workflow is waiting — no token, no link
 *     carrying one (a token is a bearer credential).
 */
export async function recordPingWaiting(
  input: { pingId: string; taskToken: string; execution: string | undefined; requestId: string },
  ports: PingWaitPorts,
): Promise<{ ping: Ping; emailed: boolean }> {
  const existing = await ports.pings.get(input.pingId);
  if (!existing) throw new NotFoundError(`连通性测试 ${input.pingId} 不存在`);
  const ping = await ports.pings.recordWaiting(
    input.pingId,
    { sealedTaskToken: await ports.vault.seal(input.taskToken, pingTokenContext(input.pingId)), ...(input.execution ? { execution: input.execution } : {}) },
    ports.now().toISOString(),
    systemEntry('PingWait', existing, 'platform.ping.wait', input.requestId, { execution: input.execution ?? null }),
  );
  const user = await ports.identity.getUser(ping.requestedBy);
  if (!user) return { ping, emailed: false };
  await ports.mailer.send({
    to: [user.email],
    subject: pingWaitingSubject,
    text: [
      `${user.name}，您好：`,
      '',
      `您发起的连通性测试（编号 ${ping.pingId}）已启动，流程正在等待确认。`,
      `测试内容：${ping.message}`,
      '',
      '确认后流程将记录结果并结束；一小时内无人确认则流程超时。',
      `系统地址：${ports.appBaseUrl}`,
      '',
      '—— 自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）',
    ].join('\n'),
    html: [
      `<p>${escapeHtml(user.name)}，您好：</p>`,
      `<p>您发起的连通性测试（编号 <code>${escapeHtml(ping.pingId)}</code>）已启动，流程<strong>正在等待确认</strong>。</p>`,
      `<p>测试内容：${escapeHtml(ping.message)}</p>`,
      '<p>确认后流程将记录结果并结束；一小时内无人确认则流程超时。</p>',
      '<p style="color:#888">自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）</p>',
    ].join('\n'),
  });
  return { ping, emailed: true };
}

export interface PingDonePorts {
  readonly pings: PingStore;
  readonly now: () => Date;
}

/**
 * The last step: records how the wait ended (acknowledged, timed out, failed).
 * Recording twice is refused (PreconditionFailedError), so a retried step
 * cannot overwrite the first outcome.
 */
export async function recordPingOutcome(
  input: { pingId: string; outcome: PingOutcome; detail: Record<string, unknown>; execution: string | undefined; requestId: string },
  ports: PingDonePorts,
): Promise<Ping> {
  const existing = await ports.pings.get(input.pingId);
  if (!existing) throw new NotFoundError(`连通性测试 ${input.pingId} 不存在`);
  if (existing.status !== 'waiting' && existing.status !== 'started') {
    throw new PreconditionFailedError('PING_ALREADY_RECORDED', `连通性测试 ${input.pingId} 的结果已记录（${existing.status}）`);
  }
  return ports.pings.recordOutcome(
    input.pingId,
    input.outcome,
    input.detail,
    ports.now().toISOString(),
    systemEntry('PingDone', existing, 'platform.ping.outcome', input.requestId, { outcome: input.outcome, execution: input.execution ?? null }),
  );
}

