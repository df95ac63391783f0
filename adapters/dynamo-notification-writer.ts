import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import type { Notification, NotificationStore } from '#shared/notifications/notifications.ts';
import { documentClient, keys } from './dynamo.ts';

/**
 * NOTIFY#<email> / <notificationId>: one emailed message as its recipient sees it in the console (我的通知).
 * The writing half only, which the mail port of every sending function carries (PutItem on NOTIFY#* only: infra
 * bindNotifications) — kept apart from the reader (dynamo-notifications.ts) so a mail bundle does not carry the
 * audited write.
 */
export class DynamoNotificationWriter implements Pick<NotificationStore, 'record'> {
  constructor(protected readonly table: string) {}

  async record(items: readonly Notification[]): Promise<void> {
    await Promise.all(
      items.map((n) =>
        documentClient().send(new PutCommand({ TableName: this.table, Item: { ...keys.notification(n.recipient, n.notificationId), ...n }, ConditionExpression: 'attribute_not_exists(pk)' })),
      ),
    );
  }
}

export function notificationWriterFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoNotificationWriter {
  return new DynamoNotificationWriter(requireEnv(tableEnv.registry, env));
}
