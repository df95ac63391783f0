import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ConflictError, PreconditionFailedError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Ping, PingOutcome, PingStore } from '#shared/ports/ping.ts';
import type { HealthProbe, ScheduleRunLog } from '#shared/ports/platform.ts';
import { documentClient, keys } from './dynamo.ts';

/** Item attributes that are keys or adapter bookkeeping, not part of the Ping. */
function toPing(item: Record<string, unknown>): Ping {
  const { pk: _pk, sk: _sk, sealedTaskToken: _t, ...rest } = item;
  return rest as unknown as Ping;
}

export class DynamoPingStore implements PingStore {
  constructor(private readonly table: string) {}

  async create(ping: Ping, entry: AuditEntry): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: { Put: { TableName: this.table, Item: { ...keys.ping(ping.pingId), ...ping }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => new ConflictError('PING_EXISTS', `连通性测试 ${ping.pingId} 已存在`),
        },
      ],
      entry,
    });
  }

  async get(pingId: string): Promise<Ping | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.ping(pingId), ConsistentRead: true }));
    return out.Item ? toPing(out.Item) : undefined;
  }

  async recordWaiting(pingId: string, wait: { sealedTaskToken: string; execution?: string }, at: string, entry: AuditEntry): Promise<Ping> {
    await auditedWrite({
      items: [
        {
          item: {
            Update: {
              TableName: this.table,
              Key: keys.ping(pingId),
              UpdateExpression: `SET #status = :waiting, sealedTaskToken = :token, updatedAt = :at${wait.execution ? ', executionArn = :execution' : ''}`,
              ConditionExpression: 'attribute_exists(pk) AND #status IN (:started, :waiting)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':waiting': 'waiting',
                ':started': 'started',
                ':token': wait.sealedTaskToken,
                ':at': at,
                ...(wait.execution ? { ':execution': wait.execution } : {}),
              },
            },
          },
          onConditionFailed: () => new PreconditionFailedError('PING_NOT_WAITING', `连通性测试 ${pingId} 已结束，不能再等待确认`),
        },
      ],
      entry,
    });
    return this.mustGet(pingId);
  }

  async recordOutcome(pingId: string, outcome: PingOutcome, detail: Record<string, unknown>, at: string, entry: AuditEntry): Promise<Ping> {
    await auditedWrite({
      items: [
        {
          item: {
            Update: {
              TableName: this.table,
              Key: keys.ping(pingId),
              // The token is spent: removing it leaves nothing to replay from this item.
              UpdateExpression: 'SET #status = :outcome, outcomeDetail = :detail, updatedAt = :at REMOVE sealedTaskToken',
              ConditionExpression: 'attribute_exists(pk) AND #status IN (:started, :waiting)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':outcome': outcome, ':detail': detail, ':at': at, ':started': 'started', ':waiting': 'waiting' },
            },
          },
          onConditionFailed: () => new PreconditionFailedError('PING_ALREADY_RECORDED', `连通性测试 ${pingId} 的结果已记录`),
        },
      ],
      entry,
    });
    return this.mustGet(pingId);
  }

  private async mustGet(pingId: string): Promise<Ping> {
    const ping = await this.get(pingId);
    if (!ping) throw new Error(`PING#${pingId} vanished after a committed write`);
    return ping;
  }
}

export function pingStoreFromEnv(env: NodeJS.ProcessEnv = process.env): PingStore {
  return new DynamoPingStore(requireEnv(envNames.registryTable, env));
}

/** Reads a key that is never written (HEALTH/PROBE): proves the table answers, costs one read unit. */
export function healthProbeFromEnv(env: NodeJS.ProcessEnv = process.env): HealthProbe {
  const table = requireEnv(envNames.registryTable, env);
  return {
    async readRegistry() {
      const started = Date.now();
      await documentClient().send(new GetCommand({ TableName: table, Key: { pk: 'HEALTH', sk: 'PROBE' } }));
      return { ms: Date.now() - started };
    },
  };
}

export function scheduleRunLogFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleRunLog {
  const table = requireEnv(envNames.registryTable, env);
  return {
    async recordRun(run, entry) {
      const { seq } = await auditedWrite({
        items: [{ item: { Put: { TableName: table, Item: { ...keys.scheduleRun(run.schedule), ...run } } } }],
        entry,
      });
      return { seq };
    },
  };
}
