import * as z from 'zod';
import { chinaDate } from '#shared/calendar/dates.ts';
import { listResults } from '#shared/custody/integrity.ts';
import { listingDocuments } from '#runtime/ports/buckets.ts';
import { custodyRecords } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { custody } from './context.ts';

export const listResultsInputSchema = z.object({
  executionName: z.string().min(1).max(80),
  startedAt: z.iso.datetime({ offset: true }),
  execution: z.string().optional(),
});

/** "List Results": the custody manifests in batches; the run is named by its China date and execution. */
export const handler = sfnTask(custody, 'ListCustodyResults', listResultsInputSchema, [custodyRecords, listingDocuments], async (input, p) => {
  const run = { date: chinaDate(new Date(input.startedAt)), executionName: input.executionName };
  const listed = await listResults(p, run);
  return { ...run, ...listed };
});
