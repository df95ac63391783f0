import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditChainStore, type AuditedItem } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { DerivedProduct, DerivedProductStore } from '#shared/sharing/derived.ts';
import { documentClient, newestFirst } from './dynamo.ts';
import { supervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Derived products (R18.2) on the registry table:
 *   DERIVED#<id>   META   the product (sources, reviews per organiser, timeline): created once, then conditional on `version`
 *   DERIVEDS#BY#<org>   <registeredAt>#<id>   the registering organisation's list (pointer, written with the product)
 *   DERIVEDS#TO#<org>   <registeredAt>#<id>   each source organiser's list (pointer, written with the product)
 * Every write carries its audit record and supervision counters (R18.2.reviewed) in one transaction.
 */
export const derivedKey = (productId: string) => ({ pk: `DERIVED#${productId}`, sk: 'META' });
const listKey = (side: 'BY' | 'TO', org: string, p: Pick<DerivedProduct, 'registeredAt' | 'productId'>) => ({ pk: `DERIVEDS#${side}#${org}`, sk: `${p.registeredAt}#${p.productId}` });

/** The product's Put: created once, then conditional on the version read (DERIVED_CHANGED). Also a part of a release's transaction (adapters/dynamo-release.ts). */
export function derivedPut(table: string, p: DerivedProduct, previousVersion: number | undefined): AuditedItem {
  return {
    item: {
      Put: {
        TableName: table,
        Item: { ...derivedKey(p.productId), ...p },
        ...(previousVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': previousVersion } }),
      },
    },
    onConditionFailed: () => new ConflictError('DERIVED_CHANGED', `衍生产品 ${p.productId} 刚被另一操作更新，本次操作未执行；请重试`),
  };
}

export class DynamoDerivedProducts implements DerivedProductStore {
  constructor(
    private readonly table: string,
    /** The audit chain; LOGS_TABLE_NAME's when omitted. */
    private readonly auditStore?: AuditChainStore,
  ) {}

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  async get(productId: string): Promise<DerivedProduct | undefined> {
    const item = await this.getItem(derivedKey(productId));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as unknown as DerivedProduct;
  }

  async create(p: DerivedProduct, audit: AuditEntry): Promise<void> {
    const pointers = [listKey('BY', p.requesterOrg, p), ...[...new Set(p.reviews.map((r) => r.organiserOrg))].map((org) => listKey('TO', org, p))];
    await this.write(p, undefined, audit, pointers);
  }

  async list(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<DerivedProduct[]> {
    return newestFirst(this.table, `DERIVEDS#${side === 'by' ? 'BY' : 'TO'}#${orgCode}`, limit, before, (i) => this.get(String(i['productId'])));
  }

  async update(p: DerivedProduct, previousVersion: number, audit: AuditEntry): Promise<void> {
    await this.write(p, previousVersion, audit);
  }

  private async write(p: DerivedProduct, previousVersion: number | undefined, audit: AuditEntry, pointers: ReadonlyArray<{ pk: string; sk: string }> = []): Promise<void> {
    await auditedWrite({
      items: [
        derivedPut(this.table, p, previousVersion),
        ...pointers.map((key) => ({ item: { Put: { TableName: this.table, Item: { ...key, productId: p.productId } } } })),
        ...(await supervisionItems(this.table, audit, (k) => this.getItem(k))),
      ],
      entry: audit,
      ...(this.auditStore ? { store: this.auditStore } : {}),
    });
  }
}

export function derivedProductsFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoDerivedProducts {
  return new DynamoDerivedProducts(requireEnv(tableEnv.registry, env));
}
