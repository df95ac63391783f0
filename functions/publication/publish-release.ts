import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { now } from '#runtime/ports/basics.ts';
import { releaseCopies } from '#runtime/ports/buckets.ts';
import { catalogue, submissions } from '#runtime/ports/registry.ts';
import { publishRelease } from '#shared/publication/publish.ts';
import { publication } from './context.ts';

export const publishReleaseInputSchema = z.object({
  releaseNumber: z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}-R\d{1,3}$/, '发布版本编号应为 “源成果统一编号-R<k>”')),
  execution: z.optional(z.string()),
});

export const publishReleaseOutputSchema = z.object({
  releaseNumber: z.string(),
  state: z.literal('released'),
  releasedAt: z.string(),
  files: z.number(),
  bytes: z.number(),
  copied: z.number(),
  changed: z.boolean(),
});
export type PublishReleaseOutput = z.infer<typeof publishReleaseOutputSchema>;

/**
 * "Publish Release" (the approval machine's last step, `{ "releaseNumber": "<n>-R<k>" }`): refuses unless the
 * release is approved and past its embargo date (409 → ConflictError), copies its package server-side into the
 * published bucket (releases/<n>/…) and makes the entry public and released (audited; a retry changes nothing).
 */
export const handler = sfnTask(publication, 'PublishRelease', publishReleaseInputSchema, [catalogue, submissions, releaseCopies, now], async (input, p, task): Promise<PublishReleaseOutput> =>
  publishReleaseOutputSchema.parse(await publishRelease(p, { releaseNumber: input.releaseNumber, requestId: task.requestId })),
);
