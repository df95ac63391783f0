import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { CatalogueReport, CatalogueReportStore } from '#shared/catalogue-report/report.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { documentClient, keys } from './dynamo.ts';
import { splitEffects, supervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

function strip(item: Item): CatalogueReport {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as CatalogueReport;
}

/**
 * CATREPORT#<id> / META (the report), CATREPORTS#<custodian> / <sentAt>#<id>
 * and CATREPORTSTO#<recipient> / <sentAt>#<id> (copies for the custodian's and
 * the upper level's lists, kept in step in the same transaction) and
 * CATREPORTLAST#<custodian> / META (where the next report starts).
 */
export class DynamoCatalogueReportStore implements CatalogueReportStore {
  constructor(private readonly table: string) {}

  private async queryAll(pk: string, after?: string): Promise<Item[]> {
    const out: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await documentClient().send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: after === undefined ? '#pk = :pk' : '#pk = :pk AND #sk > :after',
          ExpressionAttributeNames: after === undefined ? { '#pk': 'pk' } : { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: after === undefined ? { ':pk': pk } : { ':pk': pk, ':after': after },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      out.push(...((res.Items ?? []) as Item[]));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async entriesSince(custodianOrg: string, afterKey: string | undefined): Promise<Array<{ key: string; resultNumber: string }>> {
    const items = await this.queryAll(`CATBYCUST#${custodianOrg}`, afterKey);
    return items.map((i) => ({ key: String(i['sk']), resultNumber: String(i['n']) }));
  }

  async lastKey(custodianOrg: string): Promise<string | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.catalogueReportLast(custodianOrg), ConsistentRead: true }));
    return out.Item ? String(out.Item['lastKey']) : undefined;
  }

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  async create(report: CatalogueReport, previousLastKey: string | undefined, whole: AuditEntry): Promise<void> {
    const race = () => new ConflictError('REPORT_RACE', '另一份成果目录上报刚刚提交，请刷新后重试');
    // The R9.1 clocks of the report's entries are met in the report's own transaction (issue 14).
    const [audit, ...followUps] = splitEffects(whole);
    await auditedWrite({
      items: [
        ...(await supervisionItems(this.table, audit!, (k) => this.getItem(k))),
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...keys.catalogueReportLast(report.custodianOrg), lastKey: report.lastKey, reportId: report.reportId },
              ...(previousLastKey === undefined
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: '#k = :prev', ExpressionAttributeNames: { '#k': 'lastKey' }, ExpressionAttributeValues: { ':prev': previousLastKey } }),
            },
          },
          onConditionFailed: race,
        },
        { item: { Put: { TableName: this.table, Item: { ...keys.catalogueReport(report.reportId), ...report }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: race },
        { item: { Put: { TableName: this.table, Item: { ...keys.catalogueReportOfCustodian(report.custodianOrg, report.sentAt, report.reportId), ...report } } } },
        { item: { Put: { TableName: this.table, Item: { ...keys.catalogueReportToRecipient(report.recipientOrg, report.sentAt, report.reportId), ...report } } } },
      ],
      entry: audit!,
    });
    for (const entry of followUps) await auditedWrite({ items: await supervisionItems(this.table, entry, (k) => this.getItem(k)), entry });
  }

  async get(reportId: string): Promise<CatalogueReport | undefined> {
    return getReport(this.table, reportId);
  }

  async list(custodianOrg: string): Promise<CatalogueReport[]> {
    return (await this.queryAll(`CATREPORTS#${custodianOrg}`)).map(strip).reverse();
  }

  async listReceived(recipientOrg: string): Promise<CatalogueReport[]> {
    return (await this.queryAll(`CATREPORTSTO#${recipientOrg}`)).map(strip).reverse();
  }

  async close(report: CatalogueReport, audit: AuditEntry): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...keys.catalogueReport(report.reportId), ...report },
              ConditionExpression: '#s = :sent',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':sent': 'sent' },
            },
          },
          onConditionFailed: () => new ConflictError('REPORT_CLOSED', `目录上报 ${report.reportId} 已确认或退回`),
        },
        { item: { Put: { TableName: this.table, Item: { ...keys.catalogueReportOfCustodian(report.custodianOrg, report.sentAt, report.reportId), ...report } } } },
        { item: { Put: { TableName: this.table, Item: { ...keys.catalogueReportToRecipient(report.recipientOrg, report.sentAt, report.reportId), ...report } } } },
      ],
      entry: audit,
    });
  }
}

async function getReport(table: string, reportId: string): Promise<CatalogueReport | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: table, Key: keys.catalogueReport(reportId), ConsistentRead: true }));
  return out.Item ? strip(out.Item) : undefined;
}

/** One report by id, without the store's writes (what the human-task kinds read; issue 10: no audit or supervision code in their bundles). */
export function catalogueReportGetterFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<CatalogueReportStore, 'get'> {
  const table = requireEnv(tableEnv.registry, env);
  return { get: (reportId) => getReport(table, reportId) };
}

export function catalogueReportStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoCatalogueReportStore {
  return new DynamoCatalogueReportStore(requireEnv(tableEnv.registry, env));
}
