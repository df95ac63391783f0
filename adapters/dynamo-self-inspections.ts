import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { selfInspectionChanged, type SelfInspection, type SelfInspectionStore } from '#shared/supervision/self-inspections.ts';
import { withSupervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Self-inspections (R20.1) on the registry table:
 *   SELFINSP#<org>  <period>                      one self-inspection (write-once; closing a rectification
 *                                                 bumps `revision`, conditional on the one read)
 *   SELFINSP#<org>  OPEN#<period>                 the schedule opened the period's filing clock (write-once, in the clock's transaction)
 * The filing's audit entry carries its R20.1 clocks and counters (withSupervisionItems: same transaction).
 */
export const selfInspectionKey = (org: string, period: string) => ({ pk: `SELFINSP#${org}`, sk: period });
const openKey = (org: string, period: string) => ({ pk: `SELFINSP#${org}`, sk: `OPEN#${period}` });

function parse(item: Item): SelfInspection {
  const { pk: _a, sk: _b, ...rest } = item;
  return rest as unknown as SelfInspection;
}

export class DynamoSelfInspectionStore implements SelfInspectionStore {
  private readonly db: RegistryAccess;
  constructor(db: RegistryAccess) {
    this.db = withSupervisionItems(db);
  }

  async get(org: string, period: string): Promise<SelfInspection | undefined> {
    const item = await this.db.get(selfInspectionKey(org, period));
    return item ? parse(item) : undefined;
  }

  async create(inspection: SelfInspection, entry: AuditEntry): Promise<boolean> {
    const exists = new ConflictError('SELF_INSPECTION_EXISTS', `${inspection.orgName}${inspection.periodLabel}的自查报告已填报`);
    try {
      await this.db.write(
        [{ item: { Put: { TableName: this.db.table, Item: { ...selfInspectionKey(inspection.org, inspection.period), ...inspection }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => exists }],
        entry,
      );
      return true;
    } catch (error) {
      if (error === exists) return false;
      throw error;
    }
  }

  async update(inspection: SelfInspection, revision: number, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: {
            Put: {
              TableName: this.db.table,
              Item: { ...selfInspectionKey(inspection.org, inspection.period), ...inspection },
              ConditionExpression: '#revision = :revision',
              ExpressionAttributeNames: { '#revision': 'revision' },
              ExpressionAttributeValues: { ':revision': revision },
            },
          },
          onConditionFailed: selfInspectionChanged,
        },
      ],
      entry,
    );
  }

  async listOwn(org: string, opts: { limit: number; cursor?: string }): Promise<{ inspections: SelfInspection[]; cursor?: string }> {
    const pk = selfInspectionKey(org, '').pk;
    // Periods (YYYY-Qn, YYYY-MM) sort below the OPEN#<period> markers: the range stops before them.
    const page = await this.db.query({ pk, skAtMost: '9999-\uffff', forward: false, limit: opts.limit, ...(opts.cursor ? { startKey: { pk, sk: opts.cursor } } : {}) });
    const last = page.lastKey?.['sk'];
    return { inspections: page.items.map(parse), ...(typeof last === 'string' ? { cursor: last } : {}) };
  }

  async openPeriod(org: string, period: string, entry: AuditEntry): Promise<boolean> {
    const open = new ConflictError('SELF_INSPECTION_OPEN', `${org} ${period} 的自查期限已开始`);
    try {
      await this.db.write([{ item: { Put: { TableName: this.db.table, Item: { ...openKey(org, period), org, period }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => open }], entry);
      return true;
    } catch (error) {
      if (error === open) return false;
      throw error;
    }
  }
}
