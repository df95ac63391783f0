import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditChainStore } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { HolidayTableAudit, HolidayTableStore } from '#shared/ports/calendar.ts';
import { holidayTableSchema, type HolidayTable } from '#shared/schemas/calendar.ts';
import { documentClient, gsi1, keys, queryAll } from './dynamo.ts';

/**
 * Year tables live in the registry at CALENDAR#<year> / META. They are also
 * indexed under gsi1 CALENDARS / CALENDAR#<year> so that the calendar loads
 * all of them with one Query — a handful of items, never a table scan.
 */
const listPk = 'CALENDARS';

export function holidayTableStoreFromEnv(env: NodeJS.ProcessEnv = process.env): HolidayTableStore {
  return new DynamoHolidayTableStore(requireEnv(envNames.registryTable, env));
}

export class DynamoHolidayTableStore implements HolidayTableStore {
  constructor(
    private readonly table: string,
    /** Defaults to the logs table from the environment; tests may pass another. */
    private readonly auditStore?: AuditChainStore,
  ) {}

  async get(year: number): Promise<HolidayTable | undefined> {
    const out = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: keys.calendar(year), ConsistentRead: true }),
    );
    return out.Item ? holidayTableSchema.parse(out.Item) : undefined;
  }

  async list(): Promise<HolidayTable[]> {
    const tables = await queryAll(
      { TableName: this.table, IndexName: gsi1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': listPk } },
      (item) => holidayTableSchema.parse(item),
    );
    return tables.sort((a, b) => a.year - b.year);
  }

  async put(table: HolidayTable, audit: HolidayTableAudit, previous: HolidayTable | undefined): Promise<void> {
    const target = keys.calendar(table.year);
    await auditedWrite({
      ...(this.auditStore ? { store: this.auditStore } : {}),
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...target, gsi1pk: listPk, gsi1sk: target.pk, ...table },
              // Optimistic lock on the table that was read: a concurrent load wins once.
              ...(previous
                ? {
                    ConditionExpression: '#loadedAt = :previous',
                    ExpressionAttributeNames: { '#loadedAt': 'loadedAt' },
                    ExpressionAttributeValues: { ':previous': previous.loadedAt },
                  }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            },
          },
          onConditionFailed: () =>
            new ConflictError(
              'CALENDAR_CHANGED',
              `${table.year} 年节假日安排刚被其他管理员修改，本次未保存；请刷新后核对再提交`,
            ),
        },
      ],
      entry: {
        actor: audit.actor,
        orgCode: audit.orgCode,
        action: 'calendar.year.put',
        target: target.pk,
        outcome: 'success',
        requestId: audit.requestId,
        detail: {
          year: table.year,
          source: table.source,
          holidays: table.holidays,
          workdays: table.workdays,
          ...(previous ? { previousSource: previous.source, previousLoadedAt: previous.loadedAt } : {}),
        },
      },
    });
  }
}
