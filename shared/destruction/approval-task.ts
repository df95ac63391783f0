import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import { themeProfiles } from '#shared/reference/themes.ts';
import { destructionStatusLabels, type DestructionStore } from './destruction.ts';
import { entryRecord } from '#shared/catalogue/catalogue.ts';

/**
 * The organiser's approval of a destruction (销毁审批) as a human-task kind:
 * the reviewers of the entry's organiser organisation decide approve/return;
 * escalation goes to the superior organisation like every approval.
 */
export const destructionApprovalKindId = 'destructionApproval';

export const destructionSubjectSchema = z.object({ resultNumber: z.string().check(z.minLength(1)), destructionId: z.string().check(z.minLength(1)) });

export function destructionApprovalKind(ports: {
  catalogue: Pick<CatalogueStore, 'getEntry'>;
  destructions: Pick<DestructionStore, 'get'>;
  identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser'>;
}): HumanTaskKind<typeof destructionApprovalKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { resultNumber, destructionId } = destructionSubjectSchema.parse(subject);
    const [entry, record] = await Promise.all([ports.catalogue.getEntry(resultNumber), ports.destructions.get(resultNumber)]);
    if (!entry) throw new NotFoundError(`目录条目 ${resultNumber} 不存在`);
    if (!record || record.destructionId !== destructionId) throw new NotFoundError(`成果 ${resultNumber} 没有销毁申请 ${destructionId}`);
    return { entry, record };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;

  return {
    kind: destructionApprovalKindId,
    label: '成果销毁审批',
    role: 'reviewer',

    async protects(subject) {
      const { resultNumber } = destructionSubjectSchema.parse(subject);
      const entry = await ports.catalogue.getEntry(resultNumber);
      return entry ? entryRecord(entry) : undefined;
    },

    async describe(subject) {
      const { entry, record } = await load(subject);
      return {
        title: `成果销毁审批：${entry.name}（${entry.resultNumber}）`,
        assigneeOrg: entry.organiserOrg,
        details: [
          `统一编号：${entry.resultNumber}`,
          `成果专题：${themeProfiles[entry.theme].label}`,
          `保管单位：${named(await orgName(entry.custodian), entry.custodian)}`,
          `密级：${classificationLabels[entry.classification]}`,
          `申请人：${await userLabel(ports.identity, record.requestedBy)}`,
          `申请时间：${chinaDateTime(record.requestedAt)}`,
          `销毁理由：${record.reasons}`,
          '批准后将删除该成果的全部保管文件及备份，目录条目标记为“已销毁”，不可恢复。',
        ],
      };
    },

    async summary(task) {
      const { entry, record } = await load(task.subject);
      return {
        kind: destructionApprovalKindId,
        entry: {
          resultNumber: entry.resultNumber,
          name: entry.name,
          theme: entry.theme,
          themeLabel: themeProfiles[entry.theme].label,
          regionName: record.regionName ?? entry.spatialScope.regionCode,
          regionCode: entry.spatialScope.regionCode,
          classificationLabel: classificationLabels[entry.classification],
          custodian: entry.custodian,
          custodianName: await orgName(entry.custodian),
          organiserOrg: entry.organiserOrg,
        },
        destruction: {
          destructionId: record.destructionId,
          status: record.status,
          statusLabel: destructionStatusLabels[record.status],
          reasons: record.reasons,
          requestedBy: record.requestedBy,
          requestedAt: record.requestedAt,
          requestedAtLabel: chinaDateTime(record.requestedAt),
        },
      };
    },
  };
}
