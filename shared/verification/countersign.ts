import * as z from 'zod/mini';
import { NotFoundError } from '#shared/errors.ts';
import type { HumanTaskDecisionValue } from '#shared/ports/tasks.ts';
import type { TimelineEventType } from '#shared/schemas/submission.ts';
import { recordTimelineEvents } from '#shared/submission/outcomes.ts';
import { submissionRecord } from '#shared/submission/access.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { capacityOf, countersignKindId, opinionLabels } from './countersign-opinions.ts';
import { reviewSubjectSchema, reviewSummary, type ReviewKindPorts } from './review-task.ts';

export { countersignKindId } from './countersign-opinions.ts';

/** What a countersign page says of a round whose checks are done and which waits for the opinions. */
export const countersignWaitingLabel = '自动核验已完成，等待会签';

/** A countersign task is about one unit's opinion on one round. */
export const countersignSubjectSchema = z.extend(reviewSubjectSchema, { org: z.string().check(z.minLength(1)) });
export type CountersignSubject = z.infer<typeof countersignSubjectSchema>;

/** The countersign as a human-task kind (see countersign-opinions.ts for the rule). */
export function technicalCountersignKind(ports: ReviewKindPorts): HumanTaskKind<typeof countersignKindId> {
  const load = async (subject: unknown) => {
    const { submissionId, n, org } = countersignSubjectSchema.parse(subject);
    const submission = await ports.store.getSubmission(submissionId);
    if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
    const version = await ports.store.getVersion(submissionId, n);
    if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
    return { submissionId, n, org, submission, version };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;

  return {
    kind: countersignKindId,
    label: '成果技术审核会签',
    role: 'reviewer',

    async protects(subject) {
      const { submissionId } = countersignSubjectSchema.parse(subject);
      const submission = await ports.store.getSubmission(submissionId);
      return submission ? submissionRecord(submission) : undefined;
    },

    async describe(subject) {
      const { submissionId, n, org, submission, version } = await load(subject);
      const capacity = capacityOf(submission, org);
      return {
        title: `技术审核会签：${version.catalogue.name}（第 ${n} 版）`,
        assigneeOrg: org,
        // The custodian's people hold the custodian role; a technical unit's, the reviewer role.
        role: org === submission.custodianOrg ? 'custodian' : 'reviewer',
        details: [
          `汇交编号：${submissionId}`,
          `组织单位：${await orgName(submission.organiserOrg)}`,
          `汇交单位：${await orgName(submission.implementerOrg)}`,
          `会签单位：${await orgName(org)}（${capacity}）`,
          '请给出会签意见：同意，或不同意并写明理由；组织单位作出技术审核决定时可见。',
        ],
      };
    },

    async opened(task, requestId) {
      const { submissionId, n, org } = countersignSubjectSchema.parse(task.subject);
      await recordTimelineEvents(ports, {
        submissionId,
        actor: 'system:CreateHumanTask',
        events: [{ type: 'countersignRequested', n, detail: { taskId: task.id, org, escalationLevel: task.escalationLevel, due: task.due } }],
        requestId,
      });
    },

    async record(task, events, requestId) {
      const { submissionId, n, org } = countersignSubjectSchema.parse(task.subject);
      const mapped = events.flatMap((e): Array<{ type: TimelineEventType; n: number; detail: Record<string, unknown> }> => {
        if (e.type === 'decided') {
          const decision = e.detail['decision'] as HumanTaskDecisionValue;
          return [{ type: 'countersigned', n, detail: { ...e.detail, org, opinion: opinionLabels[decision] } }];
        }
        if (e.type === 'emailSent' || e.type === 'reminderSent' || e.type === 'escalated') return [{ type: e.type, n, detail: { ...e.detail, org } }];
        return [];
      });
      if (mapped.length === 0) return;
      await recordTimelineEvents(ports, { submissionId, actor: 'system:HumanTasks', events: mapped, requestId });
    },

    async summary(task) {
      const { n, org, submission, version } = await load(task.subject);
      const base = await reviewSummary(ports, submission, version, n);
      // The round stays 'verifying' until the review task opens; once the checks are done it waits for the opinions.
      const waiting = base.version.status === 'verifying' && base.report !== null;
      return {
        ...base,
        version: waiting ? { ...base.version, statusLabel: countersignWaitingLabel } : base.version,
        kind: countersignKindId,
        unit: { org, orgName: await orgName(org), capacity: capacityOf(submission, org) },
      };
    },
  };
}
