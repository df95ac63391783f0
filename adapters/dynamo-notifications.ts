import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Notification, NotificationStore } from '#shared/notifications/notifications.ts';
import { auditedWrite } from './audited-write.ts';
import { DynamoNotificationWriter } from './dynamo-notification-writer.ts';
import { keys, queryAll } from './dynamo.ts';

/** 我的通知, read and marked read (GET /notifications, POST /notifications/read); the mail port writes them (dynamo-notification-writer.ts). */
export class DynamoNotificationStore extends DynamoNotificationWriter implements NotificationStore {

  listFor(recipient: string, limit: number): Promise<Notification[]> {
    return queryAll(
      { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.notification(recipient, '').pk }, ScanIndexForward: false, Limit: limit },
      notificationOf,
      { limit },
    );
  }

  async markRead(recipient: string, notificationIds: readonly string[], readAt: string, entry: AuditEntry): Promise<void> {
    await auditedWrite({
      items: notificationIds.map((id) => ({
        item: {
          Update: {
            TableName: this.table,
            Key: keys.notification(recipient, id),
            UpdateExpression: 'SET #read = :true, readAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND #read = :false',
            ExpressionAttributeNames: { '#read': 'read' },
            ExpressionAttributeValues: { ':true': true, ':false': false, ':at': readAt },
          },
        },
        onConditionFailed: () => new ConflictError('NOTIFICATION_CHANGED', '通知刚被标记为已读（可能在另一窗口），请刷新后重试'),
      })),
      entry,
    });
  }
}

function notificationOf(item: Record<string, unknown>): Notification {
  return {
    recipient: String(item['recipient']),
    notificationId: String(item['notificationId']),
    sentAt: String(item['sentAt']),
    subject: String(item['subject'] ?? ''),
    text: String(item['text'] ?? ''),
    ...(typeof item['link'] === 'string' ? { link: item['link'] } : {}),
    read: item['read'] === true,
    ...(typeof item['readAt'] === 'string' ? { readAt: item['readAt'] } : {}),
  };
}

export function notificationStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoNotificationStore {
  return new DynamoNotificationStore(requireEnv(tableEnv.registry, env));
}
