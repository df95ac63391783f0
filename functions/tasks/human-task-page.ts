import { withHttp } from '#shared/http/with-http.ts';
import { tasksContracts } from '#shared/schemas/tasks-contracts.ts';
import { isTaskId } from '#shared/tasks/ids.ts';
import { humanTaskPage, invalidTaskLinkPage } from '#shared/tasks/page.ts';

/**
 * Where the page sends a user who is not signed in. Locally the stand-in
 * issuer's page (/local-auth/); on AWS the Cognito hosted UI, whose callback
 * stores the ID token the same way (SIGN_IN_URL).
 */
const signInUrl = process.env['SIGN_IN_URL'] || '/local-auth/';

/** GET /human-tasks/{id}/page — public: the shell the emailed link opens; it reads and changes nothing. */
export function makeHandler() {
  return withHttp('HumanTaskPage', tasksContracts.HumanTaskPage, async (req) => {
    // 200 either way: the page is static and a link checker learns nothing from the status.
    if (!isTaskId(req.path.id)) return { body: invalidTaskLinkPage(), headers: { 'cache-control': 'no-store' } };
    const page = humanTaskPage({ taskId: req.path.id, signInUrl });
    return { body: page.html, headers: page.headers };
  });
}

export const handler = makeHandler();
