/** 我的通知 (issue 13): the caller's notifications, read and marked read (the mail port writes them: ./mail.ts). */
import { notificationStoreFromEnv } from '#adapters/dynamo-notifications.ts';
import type { NotificationStore } from '#shared/notifications/notifications.ts';
import { port } from '../port.ts';

export const notificationsRead = /* @__PURE__ */ port({ name: 'notifications', env: ['registry'], build: (env): Pick<NotificationStore, 'listFor'> => notificationStoreFromEnv(env) });
export const notifications = /* @__PURE__ */ port({ name: 'notifications', env: ['registry', 'logs'], build: (env): NotificationStore => notificationStoreFromEnv(env) });
