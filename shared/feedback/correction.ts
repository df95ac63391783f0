import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { SharingGrant, SharingStore } from '#shared/sharing/model.ts';
import { chinaDay } from '#shared/submission/deadlines.ts';
import { recordTimelineEvents } from '#shared/submission/outcomes.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import { consoleUrl, deliver, systemSignature } from '#shared/tasks/mail.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { problemStateLabels, type ProblemStore, type QualityProblem } from './problems.ts';

/**
 * R19.3, the end of the escalation chain: the implementer's corrected version.
 *
 * After the organiser's order to correct (problem state correcting), the
 * implementer opens the next version of the same submission through the
 * normal upload and verification path (createNextVersion, shared/submission:
 * the problems move to correctionSubmitted in the version's own transaction).
 * Once that version is verified and transferred, the Transfer machine's
 * "Record Correction" step (completeCorrection, here) makes it the catalogue
 * entry's current version — the custody copy of every version is kept under
 * results/<number>/v<n>/ and the entry lists them all — emails every
 * requester holding a grant on the result, and closes the problems as fixed
 * with the responsibility finding recorded (R19.3.fixed counted in the same
 * transaction as the audit record).
 */

/** The grants on a result, as the sharing context keeps them (the organiser's applications → their grants). */
export interface ResultGrants {
  grantsOn(entry: Pick<CatalogueEntry, 'resultNumber' | 'organiserOrg'>): Promise<SharingGrant[]>;
}

/** How far back the organiser's applications are read for the grants on a result. */
export const applicationsRead = 1000;

/**
 * Grants on a result from the sharing store: the applications addressed to the result's organiser
 * (newest first, up to `applicationsRead`), each review's grant that names the result.
 */
export function resultGrants(sharing: Pick<SharingStore, 'listApplications' | 'getGrant'>): ResultGrants {
  return {
    async grantsOn(entry) {
      const apps = await sharing.listApplications('to', entry.organiserOrg, applicationsRead);
      const ids = new Set<string>();
      for (const app of apps) {
        if (!app.items.some((i) => i.resultNumber === entry.resultNumber)) continue;
        for (const r of app.reviews) if (r.grantId) ids.add(r.grantId);
      }
      const grants: SharingGrant[] = [];
      for (const id of [...ids].sort()) {
        const g = await sharing.getGrant(id);
        if (g && g.resultNumbers.includes(entry.resultNumber)) grants.push(g);
      }
      return grants;
    },
  };
}

/** A grant's holders still to be told: not revoked, its period not over; its named users (else the requester organisation's requesters). */
export async function grantHolderEmails(identity: Pick<IdentityRepository, 'listUsers'>, grants: readonly SharingGrant[], today: string): Promise<string[]> {
  const emails = new Set<string>();
  for (const g of grants) {
    if (g.status === 'revoked' || g.to < today) continue;
    const users = (await identity.listUsers(g.requesterOrg)).filter((u) => u.email && !u.deactivatedAt);
    const named = users.filter((u) => g.users.includes(u.userId));
    for (const u of named.length > 0 ? named : users.filter((u) => u.roles.includes('requester'))) emails.add(u.email);
  }
  return [...emails].sort();
}

export interface CorrectionPorts {
  readonly store: SubmissionStore;
  readonly catalogue: Pick<CatalogueStore, 'getEntryForSubmission' | 'updateEntry' | 'indexEntry'>;
  readonly problems: ProblemStore;
  readonly grants: ResultGrants;
  readonly identity: Pick<IdentityRepository, 'listUsers'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  readonly appBaseUrl: string;
}

export interface CorrectionOutcome {
  readonly correction: boolean;
  readonly problemIds: string[];
  readonly notified: string[];
}

const system = 'system:Transfer';

const audit = (orgCode: string, action: string, target: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor: system,
  orgCode,
  action,
  target,
  outcome: 'success',
  requestId,
  detail,
});

/**
 * Transfer › Record Correction, after the receipt of version n. Nothing when n
 * corrects no problem. Otherwise, each part idempotent (a retried step redoes
 * only what is missing):
 *  1. the catalogue entry's current version becomes n (a new entry version,
 *     audited `catalogue.entry.correct`; earlier package versions stay listed);
 *  2. every requester holding a live grant on the result is emailed that a
 *     corrected version exists (while a problem is still open: at least once);
 *  3. the submission's timeline says so (correctionRecorded);
 *  4. each problem correctionSubmitted → fixed, with the finding in its last
 *     step, R19.3.fixed counted — one audited transaction per problem.
 */
export async function completeCorrection(
  ports: CorrectionPorts,
  input: { submissionId: string; n: number; resultNumber: string; requestId: string },
): Promise<CorrectionOutcome> {
  const version = await ports.store.getVersion(input.submissionId, input.n);
  const ids = version?.correctionOf ?? [];
  if (ids.length === 0) return { correction: false, problemIds: [], notified: [] };
  const loaded = (await Promise.all(ids.map((id) => ports.problems.get(id)))).filter((p): p is QualityProblem => p !== undefined);
  const open = loaded.filter((p) => p.state === 'correctionSubmitted');
  const at = ports.now().toISOString();

  // 1. the entry's current version
  const entry = await ports.catalogue.getEntryForSubmission(input.submissionId);
  if (entry && (entry.packageVersion ?? 1) !== input.n) {
    const listed = entry.packageVersions ?? [{ n: entry.packageVersion ?? 1, at: entry.createdAt }];
    const next: CatalogueEntry = {
      ...entry,
      packageVersion: input.n,
      packageVersions: [...listed.filter((v) => v.n !== input.n), { n: input.n, at, correctionOf: ids }].sort((a, b) => a.n - b.n),
      version: entry.version + 1,
      updatedAt: at,
      updatedBy: system,
    };
    await ports.catalogue.updateEntry(
      next,
      entry,
      audit(entry.custodian, 'catalogue.entry.correct', `CAT#${entry.resultNumber}`, input.requestId, {
        submissionId: input.submissionId,
        packageVersion: input.n,
        previousPackageVersion: entry.packageVersion ?? 1,
        correctionOf: ids,
        requirement: 'R19.3',
      }),
    );
    await ports.catalogue.indexEntry(next, entry);
  }
  if (open.length === 0) return { correction: true, problemIds: ids, notified: [] };

  // 2. the grant holders
  const grants = entry ? await ports.grants.grantsOn(entry) : [];
  const notified = await grantHolderEmails(ports.identity, grants, chinaDay(at));
  if (notified.length > 0) await deliver(ports.mailer, { to: notified, ...correctedVersionMail(input.resultNumber, input.n, open, ports.appBaseUrl) });

  // 3. the timeline
  const events = await ports.store.listEvents(input.submissionId);
  if (!events.some((e) => e.type === 'correctionRecorded' && e.n === input.n)) {
    await recordTimelineEvents(ports, {
      submissionId: input.submissionId,
      actor: system,
      events: [{ type: 'correctionRecorded', n: input.n, detail: { resultNumber: input.resultNumber, packageVersion: input.n, correctionOf: ids, notified: notified.length, requirement: 'R19.3' } }],
      requestId: input.requestId,
    });
  }

  // 4. the problems fixed
  for (const p of open) {
    const finding = p.finding ? `责任认定：责任方 ${p.finding.who}；问题 ${p.finding.what}；结论 ${p.finding.conclusion}` : '';
    const next: QualityProblem = {
      ...p,
      state: 'fixed',
      fixed: { n: input.n, at, notified },
      timeline: [...p.timeline, { state: 'fixed', at, by: system, byName: '系统（移交流程）', note: `更正版本（第 ${input.n} 版）已核验通过并入库，为成果 ${p.resultNumber} 的现行版本；原版本保留。${finding}` }],
    };
    await ports.problems.update(
      next,
      'correctionSubmitted',
      withSupervision(
        audit(p.organiserOrg, 'feedback.problem.fixed', `PROBLEM#${p.problemId}`, input.requestId, {
          resultNumber: p.resultNumber,
          submissionId: input.submissionId,
          n: input.n,
          ...(p.finding ? { finding: p.finding } : {}),
          notified,
          requirement: 'R19.3',
        }),
        { count: [{ org: p.organiserOrg, metric: 'R19.3.fixed' }, ...evaluationCounts([p], 'R19.3.fixed')] },
        at,
      ),
    );
  }
  return { correction: true, problemIds: ids, notified };
}

/** Chinese: a corrected version exists (the result named by number only — its name may be above a recipient's clearance). */
export function correctedVersionMail(resultNumber: string, n: number, problems: readonly QualityProblem[], appBaseUrl: string): { subject: string; text: string; html: string } {
  // The console's 成果详情 page (its versions and timeline), not the API route.
  const link = consoleUrl(appBaseUrl, 'catalogue', resultNumber);
  const subject = `【成果更正】成果 ${resultNumber} 已有更正版本（第 ${n} 版）`;
  const lines = [
    '您好：',
    `贵单位经共享授权使用的成果 ${resultNumber} 经质量问题反馈、组织单位核实并责令改正后，实施单位已提交更正版本（第 ${n} 版），经核验通过并由保管单位入库，现为该成果的现行版本；原版本仍予保留。`,
    ...problems.map((p) => `已改正的问题：${p.problemId}（${p.file}）${p.description}——${problemStateLabels.fixed}`),
    '请停止使用原版本中存在问题的内容，并按共享授权的用途和范围重新获取更正版本（如授权已包含原版本文件，请向组织单位申请更新）。',
    `在工作台查看成果详情：${link}`,
    '',
    systemSignature,
  ];
  return { subject, text: lines.join('\n'), html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') };
}
