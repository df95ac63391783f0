/**
 * Quality-problem demo (issue 17, R19.2 R19.3): 罗欣 (广东省水利厅, 公开) reported a 重大 quality problem on the
 * result she holds a grant on; its custodian confirmed it, the organiser verified it (responsibility finding
 * recorded, the implementer's submitters emailed the order to correct), and the implementer submitted the
 * corrected version v2 through the normal path: uploaded through presigned URLs and sealed, so the real
 * Verification machine runs it — the correction is under verification (the review task reaches the organiser
 * by email). Every step through the domain functions and adapters the handlers use, in the demo people's names.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { correctionOrders } from '#shared/feedback/orders.ts';
import { decideProblem, reportProblem, verifyProblem, type HeldGrants, type ProblemStore, type ResultFiles } from '#shared/feedback/problems.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { SubmissionPorts } from '#shared/ports/submission.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { createNextVersion } from '#shared/submission/submissions.ts';
import { completeVersion, issueUploadUrls, type UploadInstruction } from '#shared/submission/uploads.ts';
import type { DemoPackage } from './demo.ts';

export interface CorrectionDemoPorts {
  readonly submission: SubmissionPorts;
  readonly catalogue: CatalogueStore;
  readonly problems: ProblemStore;
  readonly files: ResultFiles;
  /** R19.2: 罗欣 reports on a result her organisation holds a grant on (the sharing demo's). */
  readonly grants: HeldGrants;
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly appBaseUrl: string;
  /** The corrected package (the `valid` fixture, which passes the real verification). */
  readonly packageFiles: () => Promise<DemoPackage>;
  readonly send: (target: { submissionId: string; n: number }, instruction: UploadInstruction, bytes: Uint8Array) => Promise<void>;
}

const demoRequest = 'demo';

async function firstWith(identity: IdentityRepository, org: string, role: Principal['roles'][number]): Promise<Principal> {
  const user = (await identity.listUsers(org)).find((u) => u.roles.includes(role) && !u.deactivatedAt);
  if (!user) throw new Error(`演示数据：${org} 没有角色为 ${role} 的人员`);
  return user;
}

/** `resultNumber`: a 公开 result in custody that 罗欣 holds a grant on. */
export async function writeCorrectionDemo(ports: CorrectionDemoPorts, resultNumber: string): Promise<{ problemId: string; submissionId: string; n: number }> {
  const luo = await ports.identity.getUser('luo.xin');
  if (!luo) throw new Error('演示用户 luo.xin 不存在');
  const entry = await ports.catalogue.getEntry(resultNumber);
  if (!entry) throw new Error(`演示成果 ${resultNumber} 不存在`);
  const paths = await ports.files.list(entry);
  const file = paths.find((p) => p.endsWith('.gpkg') || p.endsWith('.shp')) ?? paths[0];
  if (!file) throw new Error(`演示成果 ${resultNumber} 没有保管副本`);
  const fb = { catalogue: ports.catalogue, problems: ports.problems, files: ports.files, grants: ports.grants, calendar: ports.calendar, now: ports.now, newId: () => randomBytes(4).toString('hex') };

  const problem = await reportProblem(fb, {
    actor: luo,
    resultNumber,
    file,
    location: { bbox: [113.2, 22.9, 113.5, 23.2], featureIds: ['DLTB-440104-0312'] },
    description: '【演示数据】广州市越秀区珠江河道管理范围内图斑 DLTB-440104-0312 的地类为“水浇地”，与实地河流水面不符，影响水资源规划用水需求测算',
    severity: '重大',
    requestId: demoRequest,
  });
  await decideProblem(fb, { actor: await firstWith(ports.identity, entry.custodian, 'custodian'), problemId: problem.problemId, decision: 'confirm', reasons: '【演示数据】经与 2025 年遥感影像比对，该图斑确为河流水面，地类填写错误', requestId: demoRequest });
  await verifyProblem(
    { ...fb, identity: ports.identity, mailer: ports.mailer, appBaseUrl: ports.appBaseUrl },
    {
      actor: await firstWith(ports.identity, entry.organiserOrg, 'reviewer'),
      problemId: problem.problemId,
      upheld: true,
      note: '【演示数据】经组织单位核实属实，属重大质量问题',
      finding: { who: `实施单位 ${entry.provider}`, what: '河道管理范围内图斑地类判读错误，外业核查遗漏', conclusion: '责令实施单位改正并提交更正版本，核验通过后替换现行版本' },
      requestId: demoRequest,
    },
  );
  // The implementer's correction: v2 of the same submission, uploaded and sealed — verification starts.
  const submitter = await firstWith(ports.identity, entry.provider, 'submitter');
  const pkg = await ports.packageFiles();
  const opened = await createNextVersion(
    { actor: submitter, submissionId: entry.submissionId, files: pkg.files, requestId: demoRequest },
    { ...ports.submission, newId: randomUUID, corrections: correctionOrders({ store: ports.submission.store, problems: ports.problems }) },
  );
  const n = opened.submission.currentVersion;
  const urls = await issueUploadUrls({ actor: submitter, submissionId: entry.submissionId, n, requestId: demoRequest }, ports.submission);
  for (const f of urls.files) {
    if (f.status !== 'pending') continue;
    const bytes = pkg.bytes.get(f.path);
    if (!bytes) throw new Error(`演示成果包缺少文件 ${f.path}`);
    await ports.send({ submissionId: entry.submissionId, n }, f, bytes);
  }
  await completeVersion({ actor: submitter, submissionId: entry.submissionId, n, requestId: demoRequest }, ports.submission);
  return { problemId: problem.problemId, submissionId: entry.submissionId, n };
}
