import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import type { SharingApplication, SharingGrant, SharingStore, UsageCounter } from '#shared/sharing/model.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import { clockSchema, type Clock } from '#shared/supervision/clocks.ts';
import { documentClient, gsi2, newestFirst } from './dynamo.ts';

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
 * The reads live here, apart from the writes (adapters/dynamo-sharing.ts), so the human-task bundles that only
 * read an application carry no write path.
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

export type SharingReader = Pick<SharingStore, 'getApplication' | 'getGrant' | 'listApplications' | 'usage'>;
export type SharingApplications = Pick<SharingStore, 'getApplication' | 'getGrant' | 'listApplications'>;

/** Applications and grants, read (the human-task kind needs no more). */
export class DynamoSharingReader implements SharingApplications {
  constructor(protected readonly table: string) {}

  protected async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  async getApplication(applicationId: string): Promise<SharingApplication | undefined> {
    const item = await this.getItem(sharingKeys.application(applicationId));
    return item ? strip<SharingApplication>(item) : undefined;
  }

  async getGrant(grantId: string): Promise<SharingGrant | undefined> {
    const item = await this.getItem(sharingKeys.grant(grantId));
    return item ? strip<SharingGrant>(item) : undefined;
  }

  async listApplications(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<SharingApplication[]> {
    return newestFirst(this.table, `SHAREAPPS#${side === 'by' ? 'BY' : 'TO'}#${orgCode}`, limit, before, (p) => this.getApplication(String(p['applicationId'])));
  }
}

/** The usage counters too (GetSharingUsage and the views). */
export class DynamoSharingViews extends DynamoSharingReader implements SharingReader {
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
  }}

/** The reads only (lists, views, usage): no logs table is needed, so none is asked for. */
export function sharingReaderFromEnv(env: NodeJS.ProcessEnv = process.env): SharingReader {
  return new DynamoSharingViews(requireEnv(tableEnv.registry, env));
}

/** Applications and grants only, for the human-task kind (its six bundles carry nothing more). */
export function sharingApplicationsFromEnv(env: NodeJS.ProcessEnv = process.env): SharingApplications {
  return new DynamoSharingReader(requireEnv(tableEnv.registry, env));
}

/**
 * R19.1: an organisation's clocks in one state, read from the clocks' own index (gsi2 `CLOCKSOF#<org>`, sk
 * `<state>#…`; written by adapters/dynamo-supervision.ts) — a key query, kept here so that ApplyForSharing does
 * not bundle the supervision store.
 */
export class DynamoOwnedClocks implements Pick<ClockStore, 'ownedBy'> {
  constructor(private readonly table: string) {}

  async ownedBy(org: string, state: Clock['state']): Promise<Clock[]> {
    const out: Clock[] = [];
    let startKey: Item | undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: this.table,
          IndexName: gsi2,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
          ExpressionAttributeNames: { '#pk': 'gsi2pk', '#sk': 'gsi2sk' },
          ExpressionAttributeValues: { ':pk': `CLOCKSOF#${org}`, ':sk': `${state}#` },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _a, sk: _b, gsi1pk: _c, gsi1sk: _d, gsi2pk: _e, gsi2sk: _f, ...rest } = item;
        out.push(clockSchema.parse(rest));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}
