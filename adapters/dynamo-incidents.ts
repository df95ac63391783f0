import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { classificationSchema } from '#shared/reference/classifications.ts';
import type { Incident, IncidentResultLookup, IncidentState, IncidentStore } from '#shared/supervision/incidents.ts';
import { keys } from './dynamo.ts';
import { withSupervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Security incidents (R20.1) on the registry table:
 *   INCIDENT#<id>  META   one incident with its timeline
 *       gsi2: INCIDENTSOF#<ownerOrg> / <reportedAt>#<id>   an organisation's incidents, by time
 * The report's audit entry carries its R20.1.incidents counter (withSupervisionItems: same transaction).
 */
export const incidentKey = (incidentId: string) => ({ pk: `INCIDENT#${incidentId}`, sk: 'META' });

function incidentItem(i: Incident): Item {
  return { ...incidentKey(i.incidentId), gsi2pk: `INCIDENTSOF#${i.ownerOrg}`, gsi2sk: `${i.reportedAt}#${i.incidentId}`, ...i };
}

function parse(item: Item): Incident {
  const { pk: _a, sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as unknown as Incident;
}

export class DynamoIncidentStore implements IncidentStore {
  private readonly db: RegistryAccess;
  constructor(db: RegistryAccess) {
    this.db = withSupervisionItems(db);
  }

  async get(incidentId: string): Promise<Incident | undefined> {
    const item = await this.db.get(incidentKey(incidentId));
    return item ? parse(item) : undefined;
  }

  async listOf(org: string): Promise<Incident[]> {
    const out: Incident[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({ index: 'gsi2', pk: `INCIDENTSOF#${org}`, forward: false, ...(startKey ? { startKey } : {}) });
      out.push(...page.items.map(parse));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  async create(incident: Incident, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: { Put: { TableName: this.db.table, Item: incidentItem(incident), ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => new ConflictError('INCIDENT_EXISTS', `事件编号 ${incident.incidentId} 已存在，请重试`),
        },
      ],
      entry,
    );
  }

  async update(incident: Incident, from: IncidentState, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: {
            Put: {
              TableName: this.db.table,
              Item: incidentItem(incident),
              ConditionExpression: '#state = :from',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':from': from },
            },
          },
          onConditionFailed: () => new ConflictError('INCIDENT_CHANGED', '该事件刚被他人处理，本次操作未执行；请刷新后重试'),
        },
      ],
      entry,
    );
  }
}

/** A catalogue entry's name, classification and organiser: one key read of CAT#<number> (adapters/dynamo-catalogue.ts owns the item). */
export class DynamoIncidentResults implements IncidentResultLookup {
  constructor(private readonly db: Pick<RegistryAccess, 'get'>) {}

  async getEntry(resultNumber: string) {
    const item = await this.db.get(keys.catalogueEntry(resultNumber));
    if (!item) return undefined;
    return { name: String(item['name']), classification: classificationSchema.parse(item['classification']), organiserOrg: String(item['organiserOrg']) };
  }
}
