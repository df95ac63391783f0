import { z } from 'zod';
import { chinaDate } from '#shared/calendar/dates.ts';
import { listResults } from '#shared/custody/integrity.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { integrityAuditPortsFromEnv, type IntegrityAuditPorts } from './deps.ts';

export const listResultsInputSchema = z.object({
  executionName: z.string().min(1).max(80),
  startedAt: z.iso.datetime({ offset: true }),
  execution: z.string().optional(),
});

/** "List Results": the custody manifests in batches; the run is named by its China date and execution. */
export function makeHandler(ports?: IntegrityAuditPorts) {
  return withSfnTask('ListCustodyResults', listResultsInputSchema, async (input) => {
    const run = { date: chinaDate(new Date(input.startedAt)), executionName: input.executionName };
    const listed = await listResults(ports ?? (await integrityAuditPortsFromEnv()), run);
    return { ...run, ...listed };
  });
}

export const handler = makeHandler();
