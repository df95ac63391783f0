import { http } from '#runtime/http.ts';
import { notificationsRead } from '#runtime/ports/notifications.ts';
import { listNotifications } from '#shared/notifications/notifications.ts';
import { identity } from './context.ts';

/** GET /notifications — the caller's own notifications, newest first, with the unread count. */
export const handler = http(identity, 'ListMyNotifications', [notificationsRead], async (req, p) => {
  const body = await listNotifications(p.notifications, req.principal, { limit: Number(req.query.limit), unreadOnly: req.query.unread === 'true' });
  return { body, headers: { 'cache-control': 'no-store' } };
});
