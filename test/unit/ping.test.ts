import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as pingWaitHandler } from '#functions/platform/ping-wait.ts';
import { recordPingOutcome, recordPingWaiting, startPing, pingTokenContext, pingWaitingSubject } from '#shared/platform/ping.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { Ping, PingOutcome, PingStore } from '#shared/ports/ping.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { User } from '#shared/schemas/identity.ts';

const liNa: User = {
  userId: 'li.na',
  name: '李娜',
  email: 'li.na@example.gov.cn',
  orgCode: '440000-IMP',
  roles: ['submitter'],
  clearance: 'internal',
};

class FakePings implements PingStore {
  readonly items = new Map<string, Ping & { sealedTaskToken?: string }>();
  readonly audit: AuditEntry[] = [];
  failCreate = false;

  async create(ping: Ping, entry: AuditEntry) {
    if (this.failCreate || this.items.has(ping.pingId)) throw new ConflictError('PING_EXISTS', '已存在');
    this.items.set(ping.pingId, ping);
    this.audit.push(entry);
  }
  async get(pingId: string) {
    const item = this.items.get(pingId);
    if (!item) return undefined;
    const { sealedTaskToken: _t, ...ping } = item;
    return ping;
  }
  async recordWaiting(pingId: string, wait: { sealedTaskToken: string; execution?: string }, at: string, entry: AuditEntry) {
    const item = this.items.get(pingId);
    if (!item || !['started', 'waiting'].includes(item.status)) throw new PreconditionFailedError('PING_NOT_WAITING', '已结束');
    this.items.set(pingId, { ...item, status: 'waiting', sealedTaskToken: wait.sealedTaskToken, updatedAt: at, ...(wait.execution ? { executionArn: wait.execution } : {}) });
    this.audit.push(entry);
    return (await this.get(pingId)) as Ping;
  }
  async recordOutcome(pingId: string, outcome: PingOutcome, detail: Record<string, unknown>, at: string, entry: AuditEntry) {
    const item = this.items.get(pingId);
    if (!item || !['started', 'waiting'].includes(item.status)) throw new PreconditionFailedError('PING_ALREADY_RECORDED', '已记录');
    const { sealedTaskToken: _t, ...rest } = item;
    this.items.set(pingId, { ...rest, status: outcome, outcomeDetail: detail, updatedAt: at });
    this.audit.push(entry);
    return (await this.get(pingId)) as Ping;
  }
}

class FakeWorkflow implements Workflow {
  readonly started: Array<{ stateMachine: string; name: string; input: unknown }> = [];
  async start(stateMachine: string, executionName: string, input: unknown) {
    this.started.push({ stateMachine, name: executionName, input });
    return `arn:aws:states:cn-north-1:000000000000:execution:${stateMachine}:${executionName}`;
  }
  async sendTaskSuccess() {}
  async sendTaskFailure() {}
  async sendTaskHeartbeat() {}
}

class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage) {
    this.sent.push(message);
    return { messageId: `m-${this.sent.length}` };
  }
}

const identity: IdentityRepository = {
  getUser: async (id) => (id === liNa.userId ? liNa : undefined),
  getOrganisation: async () => undefined,
  listOrganisations: async () => [],
  listUsers: async () => [],
};

const now = () => new Date('2026-03-02T01:00:00Z');
const token = 'AQCEsecret-task-token-value';

const vault = new AesGcmTokenVault(randomBytes(32));

function ports() {
  return { pings: new FakePings(), workflow: new FakeWorkflow(), mailer: new FakeMailer() };
}

const lambdaContext = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('R20.1 issue-4 ping fixture: start, wait, outcome', () => {
  it('writes the ping with its audit entry, then starts the Ping state machine named after the ping', async () => {
    const { pings, workflow } = ports();

    const { ping, executionArn } = await startPing(
      { actor: liNa, message: '你好', requestId: 'r-1' },
      { pings, workflow, newId: () => 'p-1', now },
    );

    expect(ping).toMatchObject({ pingId: 'p-1', status: 'started', requestedBy: 'li.na', orgCode: '440000-IMP', message: '你好' });
    expect(pings.audit).toEqual([expect.objectContaining({ actor: 'li.na', action: 'platform.ping.start', target: 'PING#p-1', requestId: 'r-1' })]);
    expect(workflow.started).toEqual([{ stateMachine: 'Ping', name: 'p-1', input: { pingId: 'p-1', requestedBy: 'li.na', orgCode: '440000-IMP' } }]);
    expect(executionArn).toMatch(/:execution:Ping:p-1$/);
  });

  it('starts no execution when the ping cannot be written', async () => {
    const { pings, workflow } = ports();
    pings.failCreate = true;

    await expect(startPing({ actor: liNa, message: '你好', requestId: 'r-1' }, { pings, workflow, newId: () => 'p-1', now })).rejects.toBeInstanceOf(ConflictError);
    expect(workflow.started).toEqual([]);
  });

  it('stores the task token and emails the requester in Chinese, without the token', async () => {
    const { pings, workflow, mailer } = ports();
    await startPing({ actor: liNa, message: '你好', requestId: 'r-1' }, { pings, workflow, newId: () => 'p-1', now });

    const { ping, emailed } = await recordPingWaiting(
      { pingId: 'p-1', taskToken: token, execution: 'arn:exec', requestId: 'r-2' },
      { pings, identity, mailer, now, appBaseUrl: 'http://127.0.0.1:4100', vault },
    );

    expect(ping.status).toBe('waiting');
    // Sealed like every human task's token (issue 8 §6): never in plain text, opened only with the key and this ping's context.
    const sealed = pings.items.get('p-1')?.sealedTaskToken ?? '';
    expect(sealed).not.toContain(token);
    expect(JSON.stringify([...pings.items.values()])).not.toContain(token);
    expect(await vault.open(sealed, pingTokenContext('p-1'))).toBe(token);
    await expect(vault.open(sealed, pingTokenContext('p-2'))).rejects.toThrow();
    expect(emailed).toBe(true);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: ['li.na@example.gov.cn'], subject: pingWaitingSubject });
    expect(`${mailer.sent[0]?.text}${mailer.sent[0]?.html}`).not.toContain(token);
    expect(JSON.stringify(pings.audit)).not.toContain(token);
  });

  it('fails the waiting step for an unknown ping and sends nothing', async () => {
    const { pings, mailer } = ports();

    await expect(
      recordPingWaiting({ pingId: 'nope', taskToken: token, execution: undefined, requestId: 'r' }, { pings, identity, mailer, now, appBaseUrl: 'x', vault }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(mailer.sent).toEqual([]);
  });

  it('records the outcome once and refuses a second recording', async () => {
    const { pings, workflow, mailer } = ports();
    await startPing({ actor: liNa, message: '你好', requestId: 'r-1' }, { pings, workflow, newId: () => 'p-1', now });
    await recordPingWaiting({ pingId: 'p-1', taskToken: token, execution: undefined, requestId: 'r-2' }, { pings, identity, mailer, now, appBaseUrl: 'x', vault });

    const done = await recordPingOutcome({ pingId: 'p-1', outcome: 'acknowledged', detail: { by: 'test' }, execution: undefined, requestId: 'r-3' }, { pings, now });

    expect(done.status).toBe('acknowledged');
    expect(pings.items.get('p-1')?.sealedTaskToken).toBeUndefined();
    await expect(
      recordPingOutcome({ pingId: 'p-1', outcome: 'timedOut', detail: {}, execution: undefined, requestId: 'r-4' }, { pings, now }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });
});

describe('issue-4 withSfnTask: task input validated, errors thrown by name', () => {
  it('rejects a task input without a token with a ValidationError naming the field', async () => {
    const { pings, mailer } = ports();
    const handler = pingWaitHandler.with({ pings, identity, mailer, now, appBaseUrl: 'x', vault });

    const failure = await handler({ pingId: 'p-1', requestedBy: 'li.na' }, lambdaContext).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as Error).name).toBe('ValidationError');
    expect((failure as ValidationError).details?.map((d) => d.field)).toContain('input.taskToken');
  });

  it('rethrows a domain error under its class name, which Catch in the ASL matches', async () => {
    const { pings, mailer } = ports();
    const handler = pingWaitHandler.with({ pings, identity, mailer, now, appBaseUrl: 'x', vault });

    const failure = await handler({ pingId: 'gone', requestedBy: 'li.na', taskToken: token }, lambdaContext).catch((e: unknown) => e);

    expect((failure as Error).name).toBe('NotFoundError');
  });
});
