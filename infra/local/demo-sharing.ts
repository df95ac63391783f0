/**
 * Sharing demo (issue 16): 罗欣 (广东省水利厅, 公开) has
 *  - one approved online grant, its agreement signed and one download logged;
 *  - one OFFLINE application waiting at 陈静 (the real SharingReview machine; 陈静 gets the task link by email;
 *    her 同意共享 issues the approval letter to 罗欣, copied to 广东省自然资源技术中心 (张伟), who records the hand-over);
 *  - one application not approved (不予共享) with reasons (emailed to 罗欣);
 *  - one public disclosure application (R16.3, no account) received and waiting for 广东省自然资源厅's answer, its
 *    R16.3 clock running (20 working days): submitted and verified through the same domain functions as the public
 *    form (the demo supplies the one-time code instead of a citizen reading the email).
 * Through the domain functions and adapters the handlers use. The shortcut,
 * recorded in the audit chain: the approved and the refused reviews are
 * decided by `system:demo` in 陈静's name without running their machines
 * (so the inbox holds only the one live task).
 */
import { randomUUID } from 'node:crypto';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { addCalendarDays, chinaDate } from '#shared/calendar/dates.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { CustodyStore } from '#shared/ports/custody.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { agreementText, applyForSharing, grantAccess, issueDownload, rejectSharing, sha256Hex, signAgreement, type DownloadLinks, type SharingStore } from '#shared/sharing/sharing.ts';

import type { DocumentStore } from '#shared/ports/verification.ts';
import { submitPublicApplication, verifyPublicApplication } from '#shared/sharing/public.ts';
import type { PublicApplicationStore } from '#shared/sharing/public-model.ts';

export interface SharingDemoPorts {
  readonly catalogue: CatalogueStore;
  readonly identity: IdentityRepository;
  readonly sharing: SharingStore;
  readonly custody: Pick<CustodyStore, 'list' | 'read'>;
  readonly documents: Pick<DocumentStore, 'putText'>;
  readonly links: DownloadLinks;
  readonly mailer: Mailer;
  readonly workflow: Workflow;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  /** The site (APP_BASE_URL): the demo's emails link the console's pages. */
  readonly appBaseUrl: string;
  /** Issue 16 (R16.3): the public application waiting for an answer. */
  readonly publicApplications?: PublicApplicationStore;
}

const demoRequest = 'demo';
const decidedByDemo = (reasons: string, decision: 'approve' | 'return', at: Date) => ({ taskId: 'demo', decision, reasons, decidedBy: 'chen.jing', decidedAt: at.toISOString() });

export interface SharingDemoSummary {
  readonly grantId: string;
  readonly waitingApplicationId: string;
  readonly rejectedApplicationId: string;
  /** The public disclosure application waiting for an answer (R16.3), when the store was given. */
  readonly publicApplicationId?: string;
}

/** `granted` and `waiting` are two 公开 online results of 广东省自然资源厅 in custody. */
export async function writeSharingDemo(ports: SharingDemoPorts, results: { granted: string; waiting: string }): Promise<SharingDemoSummary> {
  const luo = await ports.identity.getUser('luo.xin');
  if (!luo) throw new Error('演示用户 luo.xin 不存在');
  const today = chinaDate(ports.now());
  const input = (resultNumber: string, purpose: string) => ({
    results: [{ resultNumber }],
    purpose,
    scope: '广东省水利厅规划计划处及其委托的规划编制单位（项目组内部）',
    period: { from: today, to: addCalendarDays(today, 179) },
    contact: { name: '罗欣', phone: '020-83331234', email: 'luo.xin@example.gov.cn' },
  });
  const noStart: Workflow = { ...ports.workflow, start: async () => 'demo:decided-by-system-demo' };
  const base = { catalogue: ports.catalogue, identity: ports.identity, sharing: ports.sharing, calendar: ports.calendar, now: ports.now, newId: randomUUID };

  // 1. Approved, signed, downloaded once; the organiser set the use report (R19.1) due in three working days.
  const reportDue = (await ports.calendar()).deadline(today, 3).due;
  const granted = await applyForSharing({ ...base, workflow: noStart }, { actor: luo, input: input(results.granted, '【演示数据】编制广东省水资源综合规划（2026—2035年），叠加土地利用现状分析用水需求'), requestId: demoRequest });
  const grant = await grantAccess(
    { sharing: ports.sharing, custody: ports.custody, documents: ports.documents, identity: ports.identity, mailer: ports.mailer, now: ports.now, appBaseUrl: ports.appBaseUrl },
    { applicationId: granted.applicationId, organiserOrg: granted.reviews[0]!.organiserOrg, approval: { ...decidedByDemo('同意共享（演示数据）', 'approve', ports.now()), conditions: { useReportDue: reportDue } }, requestId: demoRequest },
  );
  const text = await agreementText(ports.identity, grant);
  await signAgreement({ sharing: ports.sharing, identity: ports.identity, now: ports.now }, { actor: luo, grantId: grant.grantId, sha256: sha256Hex(text), requestId: demoRequest });
  if (grant.files.length > 0) await issueDownload({ sharing: ports.sharing, links: ports.links, now: ports.now }, { actor: luo, grantId: grant.grantId, fileNo: 1, sourceIp: '127.0.0.1', requestId: demoRequest });

  // 2. Offline, waiting at 陈静: the real machine, an emailed task (R16.2, R17.1: her approval issues the letter).
  const waiting = await applyForSharing(
    { ...base, workflow: ports.workflow },
    {
      actor: luo,
      input: { ...input(results.waiting, '【演示数据】开展全省河湖管理范围划定复核，需第三次国土调查水域数据'), channel: 'offline', offlineReason: '【演示数据】河湖管理业务网与互联网物理隔离，只能以光盘离线接收' },
      requestId: demoRequest,
    },
  );

  // 3. Not approved, with reasons (emailed to 罗欣).
  const refused = await applyForSharing({ ...base, workflow: noStart }, { actor: luo, input: input(results.waiting, '【演示数据】了解情况'), requestId: demoRequest });
  await rejectSharing(
    { sharing: ports.sharing, identity: ports.identity, mailer: ports.mailer, now: ports.now, appBaseUrl: ports.appBaseUrl },
    { applicationId: refused.applicationId, organiserOrg: refused.reviews[0]!.organiserOrg, approval: decidedByDemo('用途说明过于笼统，无法判断所需数据范围；请写明具体工作任务和使用范围后重新申请（演示数据）', 'return', ports.now()), requestId: demoRequest },
  );

  // 4. A citizen's disclosure application (R16.3): received (email verified), waiting for 广东省自然资源厅's answer.
  let publicApplicationId: string | undefined;
  if (ports.publicApplications) {
    const code = '246810';
    const pub = { publicApplications: ports.publicApplications, catalogue: ports.catalogue, identity: ports.identity, mailer: ports.mailer, calendar: ports.calendar, now: ports.now };
    const { app } = await submitPublicApplication(
      { ...pub, newId: randomUUID, newCode: () => code },
      {
        input: {
          kind: 'disclosure',
          name: '【演示数据】陈晓明',
          phone: '13800138000',
          email: 'chen.xiaoming@example.com',
          resultNumber: results.granted,
          subject: '【演示数据】请公开该成果中从化区耕地面积的汇总数据',
          purpose: '【演示数据】开展从化区农业种植结构研究（高校课题）',
        },
        requestId: demoRequest,
      },
    );
    publicApplicationId = (await verifyPublicApplication(pub, { applicationId: app.applicationId, code, requestId: demoRequest })).applicationId;
  }
  return { grantId: grant.grantId, waitingApplicationId: waiting.applicationId, rejectedApplicationId: refused.applicationId, ...(publicApplicationId ? { publicApplicationId } : {}) };
}
