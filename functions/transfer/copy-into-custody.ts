import { z } from 'zod';
import type { CopyPorts } from '#shared/custody/copy.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const copyIntoCustodyInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  resultNumber: z.string().min(1),
  execution: z.string().optional(),
});

/** "Copy Into Custody": the package to custody/results/<number>/v<n>/…, then the audited transfer record. */
export function makeHandler(ports?: { copy: CopyPorts; store: SubmissionStore; now: () => Date }) {
  return withSfnTask('CopyIntoCustody', copyIntoCustodyInputSchema, async (input, ctx) => {
    let p = ports;
    if (!p) {
      const base = await transferPortsFromEnv();
      p = { copy: await base.copy(), store: base.store, now: base.now };
    }
    return copyIntoCustody(p, { submissionId: input.submissionId, n: input.n, resultNumber: input.resultNumber, requestId: ctx.requestId });
  });
}

export const handler = makeHandler();
