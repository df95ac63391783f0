import { http } from '#runtime/http.ts';
import { signInUrl } from '#runtime/ports/basics.ts';
import { parseBulletinId } from '#shared/supervision/bulletin.ts';
import { bulletinPage } from '#shared/supervision/bulletin-page.ts';
import { invalidLinkPage } from '#shared/web/page-shell.ts';
import { supervision } from './context.ts';

/** GET /supervision/bulletins/{bulletinId}/page — public: the shell an emailed bulletin link opens; it reads nothing. */
export const handler = http(supervision, 'BulletinPage', [signInUrl], async (req, p) => {
  const id = String(req.path.bulletinId ?? '');
  if (!parseBulletinId(id)) return { body: invalidLinkPage('监督通报'), headers: { 'cache-control': 'no-store' } };
  const page = bulletinPage({ bulletinId: id, signInUrl: p.signInUrl });
  return { body: page.html, headers: page.headers };
});
