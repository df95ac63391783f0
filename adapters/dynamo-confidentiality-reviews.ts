import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import type { ConfidentialityReview, ConfidentialityReviewStore, ReviewedEntry } from '#shared/supervision/confidentiality-reviews.ts';
import { keys } from './dynamo.ts';
import type { TransactItem } from './dynamo-audit.ts';
import { withSupervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Confidentiality reviews (保密审查, R20.1) on the registry table:
 *   CONFREVIEW#<reviewId>  META    one decision (write-once; approved → applied by the catalogue edit that uses it)
 *       gsi2: CONFREVIEWSOF#<organiserOrg> / <decidedAt>#<reviewId>   an organiser's reviews, by time
 * The record's audit entry carries its counter (withSupervisionItems: same transaction).
 */
export const confidentialityReviewKey = (reviewId: string) => ({ pk: `CONFREVIEW#${reviewId}`, sk: 'META' });

function reviewItem(r: ConfidentialityReview): Item {
  return { ...confidentialityReviewKey(r.reviewId), gsi2pk: `CONFREVIEWSOF#${r.organiserOrg}`, gsi2sk: `${r.decidedAt}#${r.reviewId}`, ...r };
}

function parse(item: Item): ConfidentialityReview {
  const { pk: _a, sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as unknown as ConfidentialityReview;
}

/**
 * The transaction item that applies an approved review to the catalogue edit
 * (adapters/dynamo-catalogue.ts puts it beside the entry's new version): only
 * once, and only while it is approved.
 */
export function applyReviewItem(table: string, reviewId: string, appliedAt: string, appliedVersion: number): { item: TransactItem; onConditionFailed: () => Error } {
  return {
    item: {
      Update: {
        TableName: table,
        Key: confidentialityReviewKey(reviewId),
        UpdateExpression: 'SET #state = :applied, appliedAt = :at, appliedVersion = :v',
        ConditionExpression: '#state = :approved',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':applied': 'applied', ':approved': 'approved', ':at': appliedAt, ':v': appliedVersion },
      },
    },
    onConditionFailed: () => new ConflictError('CONFIDENTIALITY_REVIEW_MISMATCH', `保密审查 ${reviewId} 刚被另一修改使用，本次修改未执行`),
  };
}

export class DynamoConfidentialityReviewStore implements ConfidentialityReviewStore {
  private readonly db: RegistryAccess;
  constructor(db: RegistryAccess) {
    this.db = withSupervisionItems(db);
  }

  async get(reviewId: string): Promise<ConfidentialityReview | undefined> {
    const item = await this.db.get(confidentialityReviewKey(reviewId));
    return item ? parse(item) : undefined;
  }

  async listOf(org: string): Promise<ConfidentialityReview[]> {
    const out: ConfidentialityReview[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({ index: 'gsi2', pk: `CONFREVIEWSOF#${org}`, forward: false, ...(startKey ? { startKey } : {}) });
      out.push(...page.items.map(parse));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  async record(review: ConfidentialityReview, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [{ item: { Put: { TableName: this.db.table, Item: reviewItem(review), ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new ConflictError('CONFIDENTIALITY_REVIEW_EXISTS', `审查编号 ${review.reviewId} 已存在，请重试`) }],
      entry,
    );
  }
}

/** The fields of a catalogue entry a review records: one key read of CAT#<number> (adapters/dynamo-catalogue.ts owns the item). */
export class DynamoReviewedEntries {
  constructor(private readonly db: Pick<RegistryAccess, 'get'>) {}

  async getEntry(resultNumber: string): Promise<ReviewedEntry | undefined> {
    const item = await this.db.get(keys.catalogueEntry(resultNumber));
    if (!item) return undefined;
    return {
      resultNumber: String(item['resultNumber']),
      name: String(item['name']),
      version: Number(item['version']),
      classification: classificationSchema.parse(item['classification']),
      organiserOrg: String(item['organiserOrg']),
      custodian: String(item['custodian']),
      provider: String(item['provider']),
      status: String(item['status']),
    };
  }
}
