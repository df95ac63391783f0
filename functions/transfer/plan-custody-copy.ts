import * as z from 'zod/mini';
import { submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { planCopy } from '#shared/custody/copy.ts';
import { transfer } from './context.ts';

export const planCustodyCopyInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  execution: z.optional(z.string()),
});

/** "Plan Custody Copy": the verified version's files cut into batches for the Distributed Map (nothing copied here). */
export const handler = sfnTask(transfer, 'PlanCustodyCopy', planCustodyCopyInputSchema, [submissions], async (input, p) =>
  planCopy({ submissions: p.submissions }, { submissionId: input.submissionId, n: input.n, resultNumber: input.resultNumber }),
);
