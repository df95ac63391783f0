import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { bulletinFiles, bulletinReader, clockReader, counterStore } from '#runtime/ports/supervision.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { gatherBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinJobSchema } from './bulletin-steps.ts';
import { supervision } from './context.ts';

/** Bulletin › Gather Counters: the figures from the counters (key queries), stored write-once as the bulletin's JSON. */
export const handler = sfnTask(
  supervision,
  'GatherBulletin',
  z.extend(bulletinJobSchema, { execution: z.optional(z.string()) }),
  [identityRepo, counterStore, clockReader, bulletinFiles, bulletinReader, now],
  async (input, p) => gatherBulletin({ identity: p.identity, counters: p.counters, clocks: p.clocks, files: p.files, bulletins: p.bulletins, now: p.now }, input),
);
