import { http } from '#runtime/http.ts';
import { bulletinReader } from '#runtime/ports/supervision.ts';
import { listBulletins } from '#shared/supervision/bulletin.ts';
import { bulletinView } from '#shared/schemas/supervision.ts';
import { supervision } from './context.ts';

/** GET /supervision/bulletins — an organisation's bulletins, newest first. */
export const handler = http(supervision, 'ListBulletins', [bulletinReader], async (req, p) => {
  const out = await listBulletins({ identity: p.identity, bulletins: p.bulletins }, { actor: req.principal, ...(req.query.org ? { org: req.query.org } : {}) });
  return { body: { org: out.org, items: out.items.map(bulletinView) }, headers: { 'cache-control': 'no-store' } };
});
