import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { backup, custody, uploadsSource } from '#runtime/ports/buckets.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import type { PortsOf } from '#runtime/port.ts';
import type { CopyPorts } from '#shared/custody/copy.ts';
import { finishCustodyCopy } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

export const copyIntoCustodyInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  execution: z.optional(z.string()),
});

/** The ports of the copy step (the local demo and the integration tests compose them too). */
export const copyUses = [submissions, uploadsSource, custody, backup, now] as const;

/** copyFromUploads' ports from the composed ones: the backup store only where LOCAL_BACKUP_COPY=1 (the local cloud). */
export function copyPortsOf(p: PortsOf<typeof copyUses>): CopyPorts {
  return { submissions: p.submissions, uploads: p.uploadsSource, custody: p.custody, ...(p.backup ? { backup: p.backup } : {}), now: p.now };
}

/**
 * "Copy Into Custody", after the Distributed Map "Copy Files" copied every batch: each file confirmed present,
 * the custody manifest written last, then the audited transfer record. On AWS replication writes the backup
 * region; the function writes it only on the local cloud.
 */
export const handler = sfnTask(transfer, 'CopyIntoCustody', copyIntoCustodyInputSchema, copyUses, async (input, p, task) =>
  finishCustodyCopy(
    { copy: copyPortsOf(p), store: p.submissions, now: p.now },
    { submissionId: input.submissionId, n: input.n, resultNumber: input.resultNumber, requestId: task.requestId },
  ),
);
