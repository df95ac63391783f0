import { randomBytes } from 'node:crypto';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { VerificationFailureLog } from '#shared/ports/verification.ts';
import type { TimelineEvent } from '#shared/schemas/submission.ts';
import { DynamoRegistryAccess, type RegistryAccess } from './dynamo-submission.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { keys } from './dynamo.ts';

/** The round had an outcome already: only the event is written. */
class AlreadyDecided extends ConflictError {
  constructor() {
    super('VERSION_ALREADY_DECIDED', '该版本已有核验结论');
  }
}

/**
 * The failure path's write on the submission context's items (key design:
 * adapters/dynamo.ts): the version → verificationFailed and a
 * `verificationFailed` timeline event, with the audit record, in one
 * transaction (RegistryAccess.write = auditedWrite).
 */
export class DynamoVerificationFailureLog implements VerificationFailureLog {
  constructor(private readonly db: RegistryAccess) {}

  private eventItem(event: TimelineEvent) {
    return {
      item: {
        Put: {
          TableName: this.db.table,
          Item: { ...keys.submissionEvent(event.submissionId, event.at, `90${randomBytes(3).toString('hex')}`), ...event },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  async recordFailure(
    input: { submissionId: string; n: number; at: string; error: string; cause: string; event: TimelineEvent },
    entry: AuditEntry,
  ): Promise<boolean> {
    try {
      await this.db.write(
        [
          {
            item: {
              Update: {
                TableName: this.db.table,
                Key: keys.submissionVersion(input.submissionId, input.n),
                UpdateExpression: 'SET #status = :failed, failedAt = :at, failure = :failure',
                ConditionExpression: '#status IN (:sealed, :verifying, :awaitingReview)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':failed': 'verificationFailed',
                  ':at': input.at,
                  ':failure': { error: input.error, cause: input.cause },
                  ':sealed': 'sealed',
                  ':verifying': 'verifying',
                  ':awaitingReview': 'awaitingReview',
                },
              },
            },
            onConditionFailed: () => new AlreadyDecided(),
          },
          this.eventItem(input.event),
        ],
        entry,
      );
      return true;
    } catch (error) {
      if (!(error instanceof AlreadyDecided)) throw error;
      await this.db.write([this.eventItem(input.event)], entry);
      return false;
    }
  }
}

export function verificationFailureLogFromEnv(env: NodeJS.ProcessEnv = process.env): VerificationFailureLog {
  return new DynamoVerificationFailureLog(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env)));
}
