import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { GrantExistsError, type DownloadLogLine, type SharingApplication, type SharingGrant, type SharingStore, type UsageCounter } from '#shared/sharing/model.ts';
import { documentClient } from './dynamo.ts';
import { supervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Sharing on the registry table (and its log on the logs table):
 *   SHAREAPP#<id>        META                      the application (reviews, timeline), conditional on `version`
 *   SHAREAPPS#BY#<org>   <requestedAt>#<id>        the requester organisation's list (pointer)
 *   SHAREAPPS#TO#<org>   <requestedAt>#<id>        each organiser's list (pointer)
 *   SHAREGRANT#<id>      META                      a grant (created once: attribute_not_exists)
 *   SHARESTAT#<number>   <requesterOrg>#<YYYY-MM>  usage counters: ADD downloads, bytes, the users' string set
 * Logs table:
 *   SHARELOG#<grantId>   <at>#<requestId>          one URL issued (who, file, when, from where, purpose reference)
 * Every write carries its audit record (and its supervision counters) in the same transaction.
 */
export const sharingKeys = {
  application: (id: string) => ({ pk: `SHAREAPP#${id}`, sk: 'META' }),
  byOrg: (org: string, at: string, id: string) => ({ pk: `SHAREAPPS#BY#${org}`, sk: `${at}#${id}` }),
  toOrg: (org: string, at: string, id: string) => ({ pk: `SHAREAPPS#TO#${org}`, sk: `${at}#${id}` }),
  grant: (id: string) => ({ pk: `SHAREGRANT#${id}`, sk: 'META' }),
  usage: (resultNumber: string, org: string, month: string) => ({ pk: `SHARESTAT#${resultNumber}`, sk: `${org}#${month}` }),
  log: (grantId: string, at: string, requestId: string) => ({ pk: `SHARELOG#${grantId}`, sk: `${at}#${requestId}` }),
};

const strip = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

export class DynamoSharingStore implements SharingStore {
  constructor(
    private readonly table: string,
    private readonly logsTable: string,
  ) {}

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  private async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    await auditedWrite({ items: [...items, ...(await supervisionItems(this.table, entry, (k) => this.getItem(k)))], entry });
  }

  private appPut(app: SharingApplication, previousVersion: number | undefined): AuditedItem {
    return {
      item: {
        Put: {
          TableName: this.table,
          Item: { ...sharingKeys.application(app.applicationId), ...app },
          ...(previousVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': previousVersion } }),
        },
      },
      onConditionFailed: () => new ConflictError('APPLICATION_CHANGED', `共享申请 ${app.applicationId} 刚被另一操作更新，本次操作未执行；请重试`),
    };
  }

  async createApplication(app: SharingApplication, audit: AuditEntry): Promise<void> {
    const pointer = { applicationId: app.applicationId };
    await this.write(
      [
        this.appPut(app, undefined),
        { item: { Put: { TableName: this.table, Item: { ...sharingKeys.byOrg(app.requesterOrg, app.requestedAt, app.applicationId), ...pointer } } } },
        ...[...new Set(app.items.map((i) => i.organiserOrg))].map((org) => ({ item: { Put: { TableName: this.table, Item: { ...sharingKeys.toOrg(org, app.requestedAt, app.applicationId), ...pointer } } } })),
      ],
      audit,
    );
  }

  async getApplication(applicationId: string): Promise<SharingApplication | undefined> {
    const item = await this.getItem(sharingKeys.application(applicationId));
    return item ? strip<SharingApplication>(item) : undefined;
  }

  async updateApplication(app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void> {
    await this.write([this.appPut(app, previousVersion)], audit);
  }

  async createGrant(grant: SharingGrant, app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void> {
    await this.write(
      [
        { item: { Put: { TableName: this.table, Item: { ...sharingKeys.grant(grant.grantId), ...grant }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new GrantExistsError(grant.grantId) },
        this.appPut(app, previousVersion),
      ],
      audit,
    );
  }

  async getGrant(grantId: string): Promise<SharingGrant | undefined> {
    const item = await this.getItem(sharingKeys.grant(grantId));
    return item ? strip<SharingGrant>(item) : undefined;
  }

  async updateGrant(grant: SharingGrant, previousVersion: number, app: SharingApplication, previousAppVersion: number, audit: AuditEntry): Promise<void> {
    await this.write(
      [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...sharingKeys.grant(grant.grantId), ...grant },
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': previousVersion },
            },
          },
          onConditionFailed: () => new ConflictError('GRANT_CHANGED', `共享授权 ${grant.grantId} 刚被另一操作更新，本次操作未执行；请刷新后重试`),
        },
        this.appPut(app, previousAppVersion),
      ],
      audit,
    );
  }

  async listApplications(side: 'by' | 'to', orgCode: string, limit: number): Promise<SharingApplication[]> {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SHAREAPPS#${side === 'by' ? 'BY' : 'TO'}#${orgCode}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const apps: SharingApplication[] = [];
    for (const p of out.Items ?? []) {
      const app = await this.getApplication(String(p['applicationId']));
      if (app) apps.push(app);
    }
    return apps;
  }

  async recordDownload(line: DownloadLogLine, audit: AuditEntry): Promise<void> {
    const month = chinaDate(new Date(line.at)).slice(0, 7);
    await this.write(
      [
        { item: { Put: { TableName: this.logsTable, Item: { ...sharingKeys.log(line.grantId, line.at, line.requestId), ...line }, ConditionExpression: 'attribute_not_exists(pk)' } } },
        {
          item: {
            Update: {
              TableName: this.table,
              Key: sharingKeys.usage(line.resultNumber, line.orgCode, month),
              UpdateExpression: 'SET #r = :r, #o = :o, #m = :m ADD #d :one, #b :size, #u :user',
              ExpressionAttributeNames: { '#r': 'resultNumber', '#o': 'requesterOrg', '#m': 'month', '#d': 'downloads', '#b': 'bytes', '#u': 'users' },
              ExpressionAttributeValues: { ':r': line.resultNumber, ':o': line.orgCode, ':m': month, ':one': 1, ':size': line.size, ':user': new Set([line.userId]) },
            },
          },
        },
      ],
      audit,
    );
  }

  async usage(resultNumber: string): Promise<UsageCounter[]> {
    const out = await documentClient().send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SHARESTAT#${resultNumber}` } }),
    );
    return (out.Items ?? []).map((i) => ({
      resultNumber,
      requesterOrg: String(i['requesterOrg']),
      month: String(i['month']),
      downloads: Number(i['downloads'] ?? 0),
      bytes: Number(i['bytes'] ?? 0),
      distinctUsers: i['users'] instanceof Set ? i['users'].size : Array.isArray(i['users']) ? i['users'].length : 0,
    }));
  }
}

/** The reads only (lists, views, the task kind): no logs table is needed, so none is asked for. */
export function sharingReaderFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<SharingStore, 'getApplication' | 'getGrant' | 'listApplications' | 'usage'> {
  return new DynamoSharingStore(requireEnv(tableEnv.registry, env), '');
}

export function sharingStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSharingStore {
  return new DynamoSharingStore(requireEnv(tableEnv.registry, env), requireEnv(tableEnv.logs, env));
}
