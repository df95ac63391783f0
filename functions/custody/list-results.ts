import * as z from 'zod/mini';
import { chinaDate } from '#shared/calendar/dates.ts';
import { listResults } from '#shared/custody/integrity.ts';
import { listingDocuments } from '#runtime/ports/buckets.ts';
import { custodyRecords } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { custody } from './context.ts';

export const listResultsInputSchema = z.object({
  executionName: z.string().check(z.minLength(1)).check(z.maxLength(80)),
  startedAt: z.iso.datetime({ offset: true }),
  execution: z.optional(z.string()),
});

/** "List Results": the custody manifests in batches; the run is named by its China date and execution. */
export const handler = sfnTask(custody, 'ListCustodyResults', listResultsInputSchema, [custodyRecords, listingDocuments], async (input, p) => {
  const run = { date: chinaDate(new Date(input.startedAt)), executionName: input.executionName };
  const listed = await listResults(p, run);
  return { ...run, ...listed };
});
