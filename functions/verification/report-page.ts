import { withHttp } from '#runtime/with-http.ts';
import { reportPagePathSchema, verificationContracts } from '#shared/schemas/verification-contracts.ts';
import { reportPage } from '#shared/verification/report-page.ts';
import { invalidLinkPage, signInUrlFromEnv } from '#shared/web/page-shell.ts';

const signInUrl = signInUrlFromEnv();

/** GET /submissions/{submissionId}/versions/{n}/report/page — public: the shell a report link opens; it reads nothing. */
export function makeHandler() {
  return withHttp('ReportPage', verificationContracts.ReportPage, async (req) => {
    // 200 either way, as the task page: the shell is static and a link checker learns nothing from the status.
    const path = reportPagePathSchema.safeParse(req.path);
    if (!path.success) return { body: invalidLinkPage('核验报告'), headers: { 'cache-control': 'no-store' } };
    const page = reportPage({ submissionId: path.data.submissionId, n: path.data.n, signInUrl });
    return { body: page.html, headers: page.headers };
  });
}

export const handler = makeHandler();
