import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { requireSubmissionRead } from '#shared/submission/access.ts';
import { reportHtmlKey, reportJsonKey } from './run.ts';
import type { VerificationReport } from './verify-package.ts';

/**
 * A round's kept report, for the organisations the submission involves
 * (organiser, implementer, custodian) and the departments above them, and
 * for its survey task's technical units (R7.1, they take part in verifying it).
 *
 * Primary course:
 *  1. the submission exists (404) and the caller may read it (403);
 *  2. the version exists (404);
 *  3. the report of that round from the documents bucket (404 while the checks run).
 */
export async function readKeptReport(
  ports: { store: Pick<SubmissionStore, 'getSubmission' | 'getVersion' | 'getTask'>; identity: IdentityRepository; documents: DocumentStore },
  cmd: { actor: Principal; submissionId: string; n: number; format: 'json' | 'html' },
): Promise<VerificationReport | string> {
  const submission = await ports.store.getSubmission(cmd.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${cmd.submissionId} 不存在`);
  await requireSubmissionRead(ports.identity, cmd.actor, submission, '该汇交的核验报告', () => ports.store.getTask(submission.taskId));
  const version = await ports.store.getVersion(cmd.submissionId, cmd.n);
  if (!version) throw new NotFoundError(`汇交 ${cmd.submissionId} 没有第 ${cmd.n} 版`);
  const missing = () => new NotFoundError(`第 ${cmd.n} 版尚无核验报告：自动核验尚未完成（当前状态：${version.status}）`);
  if (cmd.format === 'html') {
    const html = await ports.documents.getText(reportHtmlKey(cmd.submissionId, cmd.n));
    if (html === undefined) throw missing();
    return html;
  }
  const report = await ports.documents.getJson(reportJsonKey(cmd.submissionId, cmd.n));
  if (report === undefined) throw missing();
  return report as VerificationReport;
}
