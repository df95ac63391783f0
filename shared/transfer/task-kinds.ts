import * as z from 'zod/mini';
import { NotFoundError } from '#shared/errors.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SubmissionOutcomeStore } from '#shared/ports/submission.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import type { Submission, TimelineEventType } from '#shared/schemas/submission.ts';
import type { SupervisionEffects } from '#shared/supervision/clocks.ts';
import { forestryCopyAcknowledged } from '#shared/supervision/effects.ts';
import { recordTimelineEvents } from '#shared/submission/outcomes.ts';
import type { HumanTaskEventType, HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named } from '#shared/tasks/mail.ts';
import { themeProfiles } from '#shared/reference/themes.ts';
import { forestryCopyTarget } from './forestry.ts';
import { submissionRecord } from '#shared/submission/access.ts';

/**
 * The human-task kinds of the transfer (R8.1) and the forestry copy (R8.2).
 * Their history goes to the submission's timeline, like the review's.
 */
export const custodyReceiptKindId = 'custodyReceipt';
export const forestryCopyAckKindId = 'forestryCopyAck';

export const transferSubjectSchema = z.object({ submissionId: z.string().check(z.minLength(1)) });

export interface TransferKindPorts {
  readonly store: SubmissionOutcomeStore;
  readonly catalogue: Pick<CatalogueStore, 'getEntryForSubmission'>;
  readonly identity: IdentityRepository;
  readonly now: () => Date;
}

const timelineTypes: Partial<Record<HumanTaskEventType, TimelineEventType>> = {
  emailSent: 'emailSent',
  reminderSent: 'reminderSent',
  escalated: 'escalated',
};

function kindFor<K extends string>(
  ports: TransferKindPorts,
  spec: {
    kind: K;
    label: string;
    role: HumanTaskKind['role'];
    assigneeOrg: (s: { custodianOrg: string; organiserOrg: string }) => Promise<string>;
    title: (name: string) => string;
    opened?: TimelineEventType;
    decided?: TimelineEventType;
    /** The bulletin's counters an approving decision moves (same transaction as its timeline event). */
    counts?: (s: Submission) => Omit<SupervisionEffects, 'at'>;
  },
): HumanTaskKind<K> {
  const load = async (subject: unknown) => {
    const { submissionId } = transferSubjectSchema.parse(subject);
    const submission = await ports.store.getSubmission(submissionId);
    if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
    const entry = await ports.catalogue.getEntryForSubmission(submissionId);
    return { submission, entry };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  const orgLabel = async (code: string) => named(await orgName(code), code);
  return {
    kind: spec.kind,
    label: spec.label,
    role: spec.role,
    async protects(subject) {
      const { submissionId } = transferSubjectSchema.parse(subject);
      const submission = await ports.store.getSubmission(submissionId);
      return submission ? submissionRecord(submission) : undefined;
    },
    async describe(subject) {
      const { submission, entry } = await load(subject);
      return {
        title: spec.title(submission.catalogue.name),
        assigneeOrg: await spec.assigneeOrg(submission),
        details: [
          `汇交编号：${submission.submissionId}`,
          ...(entry ? [`统一编号：${entry.resultNumber}`] : []),
          `成果专题：${themeProfiles[submission.theme].label}`,
          `组织单位：${await orgLabel(submission.organiserOrg)}`,
          `汇交单位：${await orgLabel(submission.implementerOrg)}`,
          `保管单位：${await orgLabel(submission.custodianOrg)}`,
          `密级：${classificationLabels[submission.classification]}`,
        ],
      };
    },
    async opened(task: HumanTask, requestId) {
      if (!spec.opened) return;
      const { submissionId } = transferSubjectSchema.parse(task.subject);
      await recordTimelineEvents(ports, {
        submissionId,
        actor: 'system:CreateHumanTask',
        events: [{ type: spec.opened, detail: { taskId: task.id, assigneeOrg: task.assigneeOrg, due: task.due, escalationLevel: task.escalationLevel } }],
        requestId,
      });
    },
    async record(task, events, requestId) {
      const { submissionId } = transferSubjectSchema.parse(task.subject);
      const mapped = events.flatMap((e) => {
        if (e.type === 'decided' && spec.decided) return [{ type: spec.decided, detail: { ...e.detail } }];
        const type = timelineTypes[e.type];
        return type ? [{ type, detail: { ...e.detail } }] : [];
      });
      if (mapped.length === 0) return;
      const counted = spec.counts ? mapped.filter((m) => m.type === spec.decided && m.detail['decision'] === 'approve').length : 0;
      await recordTimelineEvents(ports, {
        submissionId,
        actor: 'system:HumanTasks',
        events: mapped,
        requestId,
        ...(spec.counts && counted > 0 ? { supervision: spec.counts } : {}),
      });
    },
    async summary(task) {
      const { submission, entry } = await load(task.subject);
      return {
        kind: spec.kind,
        submission: {
          submissionId: submission.submissionId,
          name: submission.catalogue.name,
          theme: submission.theme,
          themeLabel: themeProfiles[submission.theme].label,
          organiserOrg: submission.organiserOrg,
          organiserName: await orgName(submission.organiserOrg),
          implementerOrg: submission.implementerOrg,
          implementerName: await orgName(submission.implementerOrg),
          custodianOrg: submission.custodianOrg,
          custodianName: await orgName(submission.custodianOrg),
          classificationLabel: classificationLabels[submission.classification],
          currentVersion: submission.currentVersion,
        },
        entry: entry ? { resultNumber: entry.resultNumber, name: entry.name, custodian: entry.custodian, custodianName: await orgName(entry.custodian) } : null,
      };
    },
  };
}

/** R8.1: the custodian's custodians confirm receipt ('approve' = received). */
export function custodyReceiptKind(ports: TransferKindPorts): HumanTaskKind<typeof custodyReceiptKindId> {
  return kindFor(ports, {
    kind: custodyReceiptKindId,
    label: '成果移交接收确认',
    role: 'custodian',
    assigneeOrg: async (s) => s.custodianOrg,
    title: (name) => `成果移交接收确认：${name}`,
    opened: 'receiptRequested',
  });
}

/** R8.2: the natural-resources department of the forestry organiser's level acknowledges the copy ('approve' = received). */
export function forestryCopyAckKind(ports: TransferKindPorts): HumanTaskKind<typeof forestryCopyAckKindId> {
  return kindFor(ports, {
    kind: forestryCopyAckKindId,
    label: '林草成果副本接收确认',
    role: 'reviewer',
    assigneeOrg: async (s) => (await forestryCopyTarget(ports.identity, s.organiserOrg)).code,
    title: (name) => `林草成果副本接收确认：${name}`,
    decided: 'forestryCopyAcknowledged',
    counts: (s) => forestryCopyAcknowledged(s),
  });
}
