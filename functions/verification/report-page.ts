import { http } from '#runtime/http.ts';
import { signInUrl } from '#runtime/ports/basics.ts';
import { reportPagePathSchema } from '#shared/schemas/verification.ts';
import { reportPage } from '#shared/verification/report-page.ts';
import { invalidLinkPage } from '#shared/web/page-shell.ts';
import { verification } from './context.ts';

/** GET /submissions/{submissionId}/versions/{n}/report/page — public: the shell a report link opens; it reads nothing. */
export const handler = http(verification, 'ReportPage', [signInUrl], async (req, p) => {
  // 200 either way, as the task page: the shell is static and a link checker learns nothing from the status.
  const path = reportPagePathSchema.safeParse(req.path);
  if (!path.success) return { body: invalidLinkPage('核验报告'), headers: { 'cache-control': 'no-store' } };
  const page = reportPage({ submissionId: path.data.submissionId, n: path.data.n, signInUrl: p.signInUrl });
  return { body: page.html, headers: page.headers };
});
