import { http } from '#runtime/http.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { bulletinFiles, bulletinIndex, clockReader, counterStore, renderers } from '#runtime/ports/supervision.ts';
import { issueBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinView } from '#shared/schemas/supervision.ts';
import { supervision } from './context.ts';

/** POST /supervision/bulletins — a supervisor asks for a bulletin now (R21.1); 201 new, 200 when it already exists. */
export const handler = http(supervision, 'IssueBulletin', [counterStore, clockReader, renderers, bulletinFiles, bulletinIndex, mailer, now, appBaseUrl], async (req, p) => {
  const out = await issueBulletin(
    { identity: p.identity, counters: p.counters, clocks: p.clocks, renderers: p.renderers, files: p.files, bulletins: p.bulletins, mailer: p.mailer, now: p.now, appBaseUrl: p.appBaseUrl },
    { actor: req.principal, org: req.body.org ?? req.principal.orgCode, period: req.body.period, requestId: req.requestId },
  );
  return { status: out.created ? 201 : 200, body: { bulletin: bulletinView(out.bulletin), created: out.created, pageUrl: out.pageUrl, emailed: [...out.emailed] } };
});
