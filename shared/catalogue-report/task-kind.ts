import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import { reportStatusLabels, type CatalogueReportStore } from './report.ts';

/**
 * The upper level's acknowledgement of a catalogue report (成果目录上报确认,
 * R9.1): the reviewers of the next-higher organiser confirm receipt. The
 * summary names numbers only — titles of classified entries stay in the
 * report, readable by clearance through GET /catalogue-reports/{id}.
 */
export const catalogueReportAckKindId = 'catalogueReportAck';

export const reportSubjectSchema = z.object({ reportId: z.string().check(z.minLength(1)) });

export function catalogueReportAckKind(ports: { reports: Pick<CatalogueReportStore, 'get'>; identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser'> }): HumanTaskKind<typeof catalogueReportAckKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { reportId } = reportSubjectSchema.parse(subject);
    const report = await ports.reports.get(reportId);
    if (!report) throw new NotFoundError(`目录上报 ${reportId} 不存在`);
    return report;
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;

  return {
    kind: catalogueReportAckKindId,
    label: '成果目录上报确认',
    role: 'reviewer',

    async describe(subject) {
      const report = await load(subject);
      return {
        title: `成果目录上报确认：${await orgName(report.custodianOrg)}（${report.resultNumbers.length} 条）`,
        assigneeOrg: report.recipientOrg,
        details: [
          `报送单位：${named(await orgName(report.custodianOrg), report.custodianOrg)}`,
          `接收单位：${named(await orgName(report.recipientOrg), report.recipientOrg)}`,
          `报送人：${await userLabel(ports.identity, report.sentBy)}`,
          `报送时间：${chinaDateTime(report.sentAt)}`,
          `条目数：${report.resultNumbers.length}`,
          `上报期限：${report.dueDate}`,
          '请核对上报的成果目录条目后确认接收；如有问题请退回并说明理由。',
        ],
      };
    },

    async summary(task) {
      const report = await load(task.subject);
      return {
        kind: catalogueReportAckKindId,
        report: {
          reportId: report.reportId,
          custodianOrg: report.custodianOrg,
          custodianName: await orgName(report.custodianOrg),
          recipientOrg: report.recipientOrg,
          status: report.status,
          statusLabel: reportStatusLabels[report.status],
          sentBy: report.sentBy,
          sentAt: report.sentAt,
          dueDate: report.dueDate,
          resultNumbers: report.resultNumbers,
        },
      };
    },
  };
}
