import * as z from 'zod/mini';
import { bulletinIndex } from '#runtime/ports/supervision.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinRecordSchema } from './bulletin-steps.ts';
import { supervision } from './context.ts';

/** Bulletin › Record: the bulletin's index entry with its audit record, write-once (created: false when it existed). */
export const handler = sfnTask(
  supervision,
  'RecordBulletin',
  z.object({ record: bulletinRecordSchema, execution: z.optional(z.string()) }),
  [bulletinIndex],
  async (input, p, task) => recordBulletin(p, input.record, task.execution ?? task.requestId),
);
