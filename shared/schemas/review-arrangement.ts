import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { orgCodeSchema } from './submission.ts';

/** R7.1: the organiser changes who reviews and who countersigns after registration; `rev` is the arrangement read (the task's `arrangementRev`, 0 before any change). */
export const reviewArrangementInputSchema = z.object({
  reviewOrg: described(z.nullable(orgCodeSchema), '技术审核由哪个单位决定：组织单位设定的技术单位之一；null 为组织单位本身的审核人'),
  countersignOrgs: described(z.array(orgCodeSchema).check(z.maxLength(20, '会签单位不超过 20 个')), '会签单位（技术单位或本任务的保管单位）；空数组为不会签'),
  rev: described(z.number().check(z.int()).check(z.gte(0)), '读取时的安排版本（任务的 arrangementRev，从未修改过为 0）；已被他人修改则 409 ARRANGEMENT_CHANGED'),
});
export type ReviewArrangementInput = z.infer<typeof reviewArrangementInputSchema>;
