import * as z from 'zod/mini';
import { supervisionOrgCode } from '#shared/schemas/supervision.ts';

/** The Bulletin machine's input (statemachines/bulletin.asl.json), as the route and the schedules start it. */
export const bulletinJobSchema = z.object({
  org: supervisionOrgCode,
  period: z.string().check(z.minLength(1)).check(z.maxLength(10)),
  trigger: z.enum(['schedule', 'request']),
  createdBy: z.string().check(z.minLength(1)).check(z.maxLength(100)),
});

/** The index record the steps pass on (Gather Counters' output). */
export const bulletinRecordSchema = z.object({
  bulletinId: z.string().check(z.minLength(3)).check(z.maxLength(80)),
  org: z.string(),
  orgName: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  trigger: z.enum(['schedule', 'request']),
  keys: z.object({ html: z.string(), xlsx: z.string(), json: z.string() }),
  keyFigures: z.array(z.object({ label: z.string(), value: z.string() })),
  worst: z.array(z.object({ org: z.string(), name: z.string(), late: z.number().check(z.int()) })),
  itemsRead: z.number().check(z.int()),
});
