import * as z from 'zod/mini';
import { appBaseUrl } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { bulletinReader } from '#runtime/ports/supervision.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { emailBulletin } from '#shared/supervision/bulletin.ts';
import { supervision } from './context.ts';

/** Bulletin › Email: the organisation's supervisors get the three key figures, the worst five units and the link. */
export const handler = sfnTask(
  supervision,
  'EmailBulletin',
  z.object({ bulletinId: z.string().check(z.minLength(3)).check(z.maxLength(80)), execution: z.optional(z.string()) }),
  [identityRepo, bulletinReader, mailer, appBaseUrl],
  async (input, p) => emailBulletin(p, input.bulletinId),
);
