import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { notifications } from '#runtime/ports/notifications.ts';
import { markNotificationsRead } from '#shared/notifications/notifications.ts';
import { identity } from './context.ts';

/** POST /notifications/read — the caller's own unread notifications, read (audited). */
export const handler = http(identity, 'MarkNotificationsRead', [notifications, now], async (req, p) => {
  const body = await markNotificationsRead({ store: p.notifications, now: p.now }, req.principal, {
    ...(req.body.ids ? { ids: req.body.ids } : {}),
    ...(req.body.all !== undefined ? { all: req.body.all } : {}),
    requestId: req.requestId,
  });
  return { body };
});
