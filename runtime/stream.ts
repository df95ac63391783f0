/**
 * The table-stream trigger, one file: `stream(ctx, 'PublishPublicCatalogueOnChange', [ports…], run)`
 * for a context module's function, and `withStream`, the one stack every batch goes through.
 */
import type { Context, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { logger } from '#shared/log.ts';
import { parseOrThrow } from '#shared/validation.ts';
import { eventEntry, logged } from './event-entry.ts';

/** A DynamoDB Streams batch as Lambda delivers it; the records' own shape is read by the adapter (adapters/dynamo-stream.ts). */
const streamEventSchema = z.looseObject({ Records: z.array(z.looseObject({ eventName: z.optional(z.enum(['INSERT', 'MODIFY', 'REMOVE'])) })) });

export interface StreamContext {
  readonly records: readonly DynamoDBRecord[];
  readonly log: Logger;
  readonly lambda: Context;
}

/**
 * The one middleware stack for stream-triggered functions (manifest.streams):
 * the batch's envelope parsed, one structured log line per batch (record
 * count, first and last sequence number — never the images, which hold
 * entry data), errors logged and rethrown so the event source mapping
 * retries the batch (on AWS) or the local poller does (infra/local/streams.ts).
 */
export function withStream<R>(name: string, fn: (ctx: StreamContext) => Promise<R>) {
  const base = (event: unknown, context: Context): Promise<R> => {
    const log = logger.createChild({ persistentKeys: { stream: name, requestId: context.awsRequestId } });
    return logged(log, 'stream batch', () => {
      parseOrThrow(streamEventSchema, event, 'event');
      const records = (event as { Records: DynamoDBRecord[] }).Records;
      log.appendKeys({
        records: records.length,
        firstSequence: records[0]?.dynamodb?.SequenceNumber,
        lastSequence: records[records.length - 1]?.dynamodb?.SequenceNumber,
      });
      return fn({ records, log, lambda: context });
    });
  };
  return base;
}

export const stream = eventEntry<StreamContext>(withStream);
