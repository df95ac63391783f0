import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { SentMailLog } from '#shared/ports/mailer.ts';
import { documentClient } from './dynamo.ts';

/**
 * SendMail's memory of what it sent (shared/platform/mail-relay.ts), in the
 * logs table: `MAIL#<sha256 of the message>` / `SENT`, with `until` — a claim
 * is taken only when none is held or the held one has run out. Operational
 * bookkeeping of the transport, not a record of the registry: not audited.
 */
export class DynamoSentMailLog implements SentMailLog {
  constructor(private readonly table: string) {}

  private key(hash: string) {
    return { pk: `MAIL#${hash}`, sk: 'SENT' };
  }

  async claim(hash: string, at: string, until: string): Promise<boolean> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: { ...this.key(hash), state: 'sending', claimedAt: at, until },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :at',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async sent(hash: string, messageId: string, until: string): Promise<void> {
    await documentClient().send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(hash),
        UpdateExpression: 'SET #state = :sent, messageId = :id, #until = :until',
        ExpressionAttributeNames: { '#state': 'state', '#until': 'until' },
        ExpressionAttributeValues: { ':sent': 'sent', ':id': messageId, ':until': until },
      }),
    );
  }

  async release(hash: string, claimedAt: string): Promise<void> {
    try {
      await documentClient().send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(hash),
          // Only our own claim: another run's newer claim stays.
          ConditionExpression: 'claimedAt = :at AND #state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':at': claimedAt, ':sending': 'sending' },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}

export function sentMailLogFromEnv(env: NodeJS.ProcessEnv = process.env): SentMailLog {
  return new DynamoSentMailLog(requireEnv(envNames.logsTable, env));
}
