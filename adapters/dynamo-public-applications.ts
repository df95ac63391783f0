import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { PublicApplication, PublicApplicationStore } from '#shared/sharing/public-model.ts';
import { documentClient } from './dynamo.ts';
import { supervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Public applications on the registry table (R14.2, R16.3):
 *   PUBAPP#<id>              META                 the application (its code hashed while unverified), conditional on `version`
 *   PUBAPPS#TO#<org>         <submittedAt>#<id>   the answering organisation's list (pointer; written on receipt only)
 *   PUBRATE#<sha256(email)>  <YYYY-MM-DD>         applications of one address that day (ADD, conditional on < max)
 * Every write with its audit record (and the R16.3 clock) in one transaction.
 */
export const publicApplicationKeys = {
  application: (id: string) => ({ pk: `PUBAPP#${id}`, sk: 'META' }),
  addressed: (org: string, at: string, id: string) => ({ pk: `PUBAPPS#TO#${org}`, sk: `${at}#${id}` }),
  rate: (emailKey: string, day: string) => ({ pk: `PUBRATE#${emailKey}`, sk: day }),
};

const strip = (item: Item): PublicApplication => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as PublicApplication;
};

export class DynamoPublicApplicationStore implements PublicApplicationStore {
  constructor(private readonly table: string) {}

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  private async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    await auditedWrite({ items: [...items, ...(await supervisionItems(this.table, entry, (k) => this.getItem(k)))], entry });
  }

  async create(app: PublicApplication, rate: { emailKey: string; day: string; max: number }, audit: AuditEntry): Promise<void> {
    await this.write(
      [
        {
          item: { Put: { TableName: this.table, Item: { ...publicApplicationKeys.application(app.applicationId), ...app }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => new ConflictError('PUBLIC_APPLICATION_EXISTS', `申请 ${app.applicationId} 已存在`),
        },
        {
          item: {
            Update: {
              TableName: this.table,
              Key: publicApplicationKeys.rate(rate.emailKey, rate.day),
              UpdateExpression: 'ADD #n :one',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':one': 1, ':max': rate.max },
            },
          },
          onConditionFailed: () => new ConflictError('TOO_MANY_APPLICATIONS', `同一邮箱每天最多提交 ${rate.max} 份申请，请明天再提交`),
        },
      ],
      audit,
    );
  }

  async get(applicationId: string): Promise<PublicApplication | undefined> {
    const item = await this.getItem(publicApplicationKeys.application(applicationId));
    return item ? strip(item) : undefined;
  }

  async update(app: PublicApplication, previousVersion: number, audit: AuditEntry, opts?: { listed?: boolean }): Promise<void> {
    await this.write(
      [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...publicApplicationKeys.application(app.applicationId), ...app },
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': previousVersion },
            },
          },
          onConditionFailed: () => new ConflictError('PUBLIC_APPLICATION_CHANGED', `申请 ${app.applicationId} 刚被另一操作更新，本次操作未执行；请刷新后重试`),
        },
        ...(opts?.listed
          ? [{ item: { Put: { TableName: this.table, Item: { ...publicApplicationKeys.addressed(app.answeringOrg, app.submittedAt, app.applicationId), applicationId: app.applicationId } } } }]
          : []),
      ],
      audit,
    );
  }

  async listAddressed(orgCode: string, limit: number): Promise<PublicApplication[]> {
    const out = await documentClient().send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PUBAPPS#TO#${orgCode}` }, ScanIndexForward: false, Limit: limit }),
    );
    const apps: PublicApplication[] = [];
    for (const p of out.Items ?? []) {
      const app = await this.get(String(p['applicationId']));
      if (app) apps.push(app);
    }
    return apps;
  }
}

export function publicApplicationStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoPublicApplicationStore {
  return new DynamoPublicApplicationStore(requireEnv(tableEnv.registry, env));
}
