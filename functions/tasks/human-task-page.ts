import { withHttp } from '#runtime/with-http.ts';
import { tasksContracts } from '#shared/schemas/tasks-contracts.ts';
import { isTaskId } from '#shared/tasks/ids.ts';
import { humanTaskPage, invalidTaskLinkPage } from '#shared/tasks/page.ts';
import { signInUrlFromEnv } from '#shared/web/page-shell.ts';

const signInUrl = signInUrlFromEnv();

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
