import { http } from '#runtime/http.ts';
import { signInUrl } from '#runtime/ports/basics.ts';
import { isTaskId } from '#shared/tasks/ids.ts';
import { humanTaskPage, invalidTaskLinkPage } from '#shared/tasks/page.ts';
import { tasks } from './context.ts';

/** GET /human-tasks/{id}/page — public: the shell the emailed link opens; it reads and changes nothing. */
export const handler = http(tasks, 'HumanTaskPage', [signInUrl], async (req, p) => {
  // 200 either way: the page is static and a link checker learns nothing from the status.
  if (!isTaskId(req.path.id)) return { body: invalidTaskLinkPage(), headers: { 'cache-control': 'no-store' } };
  const page = humanTaskPage({ taskId: req.path.id, signInUrl: p.signInUrl });
  return { body: page.html, headers: page.headers };
});
