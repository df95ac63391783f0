import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { Organisation } from '#shared/schemas/identity.ts';
import { chinaDay } from '#shared/submission/deadlines.ts';
import { recordTimelineEvents } from '#shared/submission/outcomes.ts';
import { forestryCopySent } from '#shared/supervision/effects.ts';

/** R8.2: within 30 WD the forestry organiser's result goes to the natural-resources department of its level. */
export const forestryCopyWorkingDays = 30;

/**
 * The natural-resources department of the same level as a forestry/grassland
 * organiser: same region code, type naturalResources. Organisation codes are
 * `<region>-<kind>`, so the conventional code is read first; the organiser's
 * siblings (same parent) are the fallback for a registry that names it
 * otherwise.
 */
export async function forestryCopyTarget(identity: IdentityRepository, organiserOrg: string): Promise<Organisation> {
  const organiser = await identity.getOrganisation(organiserOrg);
  if (!organiser) throw new NotFoundError(`组织 ${organiserOrg} 不存在`);
  const fits = (o: Organisation | undefined): o is Organisation => o?.type === 'naturalResources' && o.regionCode === organiser.regionCode;
  const conventional = await identity.getOrganisation(`${organiser.regionCode}-NR`);
  if (fits(conventional)) return conventional;
  const sibling = (await identity.listOrganisations(organiser.parentCode)).find(fits);
  if (sibling) return sibling;
  throw new NotFoundError(`未找到与 ${organiser.name}（${organiserOrg}）同级的自然资源主管部门（行政区划 ${organiser.regionCode}），无法抄送成果副本（R8.2）`);
}

export async function isForestryOrganiser(identity: IdentityRepository, organiserOrg: string): Promise<boolean> {
  return (await identity.getOrganisation(organiserOrg))?.type === 'forestryGrassland';
}

/**
 * "Forestry Copy?" step: for a forestryGrassland organiser, the copy record
 * (target, 30 WD due date) goes on the timeline once; the state machine then
 * opens the forestryCopyAck task. Other organisers: nothing to do.
 */
export async function sendForestryCopy(
  ports: { store: SubmissionStore; identity: IdentityRepository; calendar: () => Promise<WorkingDayCalendar>; now: () => Date },
  input: { submissionId: string; resultNumber?: string; requestId: string },
): Promise<{ required: boolean; targetOrg?: string; due?: string }> {
  const submission = await ports.store.getSubmission(input.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${input.submissionId} 不存在`);
  if (!(await isForestryOrganiser(ports.identity, submission.organiserOrg))) return { required: false };
  const target = await forestryCopyTarget(ports.identity, submission.organiserOrg);
  const sent = (await ports.store.listEvents(input.submissionId)).find((e) => e.type === 'forestryCopySent');
  if (sent) return { required: true, targetOrg: target.code, due: String(sent.detail['due']) };
  const calendar = await ports.calendar();
  // R8.2 counts from verification, like R8.1: a transfer started late must not move the copy's deadline.
  const verifiedOn = chinaDay(submission.verifiedAt ?? ports.now());
  const deadline = calendar.deadline(verifiedOn, forestryCopyWorkingDays);
  const due = deadline.due;
  await recordTimelineEvents(ports, {
    submissionId: input.submissionId,
    actor: 'system:Transfer',
    events: [
      {
        type: 'forestryCopySent',
        n: submission.currentVersion,
        detail: { requirement: 'R8.2', targetOrg: target.code, targetName: target.name, due, resultNumber: input.resultNumber ?? null },
      },
    ],
    requestId: input.requestId,
    supervision: (s) => forestryCopySent(s, verifiedOn, deadline),
  });
  return { required: true, targetOrg: target.code, due };
}
