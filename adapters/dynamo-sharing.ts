import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { GrantExistsError, type DownloadLogLine, type SharingApplication, type SharingGrant, type SharingStore } from '#shared/sharing/model.ts';
import { DynamoSharingViews, sharingKeys } from './dynamo-sharing-read.ts';
import { supervisionItems } from './dynamo-supervision.ts';

export { sharingKeys, sharingReaderFromEnv } from './dynamo-sharing-read.ts';

/** Sharing's writes (keys: adapters/dynamo-sharing-read.ts): every write carries its audit record and supervision counters in one transaction. */
export class DynamoSharingStore extends DynamoSharingViews implements SharingStore {
  constructor(
    table: string,
    private readonly logsTable: string,
  ) {
    super(table);
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

}

export function sharingStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSharingStore {
  return new DynamoSharingStore(requireEnv(tableEnv.registry, env), requireEnv(tableEnv.logs, env));
}
