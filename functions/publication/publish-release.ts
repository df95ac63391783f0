import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { publicPlatforms } from '#runtime/ports/platforms.ts';
import { releaseCopies } from '#runtime/ports/buckets.ts';
import { derivedProducts } from '#runtime/ports/derived.ts';
import { catalogue, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { followDerivedRelease } from '#shared/sharing/derived-release.ts';
import { announceRelease } from '#shared/publication/announce.ts';
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
  /** R14.2: platforms announced to by this run, and in all. */
  announced: z.number(),
  announcedTotal: z.number(),
});
export type PublishReleaseOutput = z.infer<typeof publishReleaseOutputSchema>;

/**
 * "Publish Release" (the approval machine's last step, `{ "releaseNumber": "<n>-R<k>" }`): refuses unless the
 * release is approved and past its embargo date (409 → ConflictError), copies its package server-side into the
 * published bucket (releases/<n>/…) and makes the entry public and released (audited; a retry changes nothing),
 * then announces it to every external public platform of PUBLIC_PLATFORMS not yet announced to (R14.2: a Chinese
 * mail with the public page and data.json, recorded on the release; a retry sends no second mail); a release version
 * of a derived product then records the product's publication and emails its registrant (R18.2, followDerivedRelease).
 */
export const handler = sfnTask(publication, 'PublishRelease', publishReleaseInputSchema, [catalogue, submissions, releaseCopies, now, mailer, appBaseUrl, publicPlatforms, derivedProducts, identityRepo], async (input, p, task): Promise<PublishReleaseOutput> => {
  const released = await publishRelease(p, { releaseNumber: input.releaseNumber, requestId: task.requestId });
  const announced = await announceRelease(p, { releaseNumber: input.releaseNumber, requestId: task.requestId });
  // R18.2: a release version of a derived product records the product's publication (idempotent; a retry changes nothing).
  await followDerivedRelease(p, { releaseNumber: input.releaseNumber, requestId: task.requestId });
  return publishReleaseOutputSchema.parse({ ...released, announced: announced.announced, announcedTotal: announced.total });
});
