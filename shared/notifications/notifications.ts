import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { Principal } from '#shared/schemas/identity.ts';

/**
 * 我的通知 (issue 13): what a person was emailed, shown in the console. The mail port records one notification per
 * recipient of every message it sent (runtime/ports/mail.ts wraps the transport once, so no context records its
 * own); GET /notifications lists the caller's own, newest first, with the unread count; marking read is a
 * conditional, audited change of the caller's own items only.
 */
export interface Notification {
  /** The recipient's email address, lower case (the registry's users are found by it). */
  readonly recipient: string;
  /** `<sentAt>.<random>`: sorts by time, unique per recipient. */
  readonly notificationId: string;
  readonly sentAt: string;
  readonly subject: string;
  /** The message's text part, at most `maxTextLength` characters. */
  readonly text: string;
  /** The first link of the message (an emailed task or report page), for the console to open. */
  readonly link?: string;
  readonly read: boolean;
  readonly readAt?: string;
}

export interface NotificationStore {
  record(items: readonly Notification[]): Promise<void>;
  /** Newest first, at most `limit`. */
  listFor(recipient: string, limit: number): Promise<Notification[]>;
  /** Marks these unread notifications read in one audited transaction (a ConflictError if one changed meanwhile). */
  markRead(recipient: string, notificationIds: readonly string[], readAt: string, entry: AuditEntry): Promise<void>;
}

export const maxTextLength = 4000;
/** The unread count covers the newest this many (a person's bell, not an archive). */
export const countWindow = 100;
/** Notifications marked read in one request (one transaction with its audit record). */
export const maxMarkPerRequest = 50;

export const recipientOf = (email: string): string => email.trim().toLowerCase();

/** The notifications one sent message leaves, one per recipient. */
export function notificationsOf(message: MailMessage, sentAt: string, newId: () => string = () => randomBytes(4).toString('hex')): Notification[] {
  const link = /https?:\/\/[^\s<>"）]+/.exec(message.text)?.[0];
  const recipients = [...new Set(message.to.map(recipientOf))];
  return recipients.map((recipient) => ({
    recipient,
    notificationId: `${sentAt}.${newId()}`,
    sentAt,
    subject: message.subject,
    text: message.text.length > maxTextLength ? `${message.text.slice(0, maxTextLength)}……` : message.text,
    ...(link ? { link } : {}),
    read: false,
  }));
}

/**
 * The mail port as every context gets it: the transport sends, then each recipient's notification is recorded.
 * A failure to record does not fail the send (the email, already accepted, is the notice; a retried step would
 * email again): it is logged, and the console's list lacks that one message.
 */
export function recordingMailer(inner: Mailer, store: Pick<NotificationStore, 'record'>, now: () => Date = () => new Date(), log: (line: string) => void = (l) => console.error(l)): Mailer {
  return {
    async send(message) {
      const sent = await inner.send(message);
      try {
        await store.record(notificationsOf(message, now().toISOString()));
      } catch (error) {
        log(JSON.stringify({ level: 'WARN', message: 'notification not recorded (the email was sent)', subject: message.subject, recipients: message.to.length, error: String(error) }));
      }
      return sent;
    },
  };
}

export interface NotificationView {
  readonly notificationId: string;
  readonly sentAt: string;
  readonly subject: string;
  readonly text: string;
  readonly link?: string;
  readonly read: boolean;
  readonly readAt?: string;
}

const view = ({ recipient: _r, ...n }: Notification): NotificationView => n;

/** GET /notifications: the caller's own, newest first; `unread` among the newest `countWindow`. */
export async function listNotifications(
  store: Pick<NotificationStore, 'listFor'>,
  actor: Pick<Principal, 'email'>,
  opts: { limit: number; unreadOnly?: boolean },
): Promise<{ items: NotificationView[]; unread: number; more: boolean }> {
  const all = await store.listFor(recipientOf(actor.email), countWindow);
  const shown = opts.unreadOnly ? all.filter((n) => !n.read) : all;
  return { items: shown.slice(0, opts.limit).map(view), unread: all.filter((n) => !n.read).length, more: shown.length > opts.limit };
}

/**
 * POST /notifications/read: the named (or all of the newest `countWindow`) unread notifications of the caller, read.
 * Ids that are not the caller's, or already read, change nothing; nothing left to mark writes nothing (idempotent).
 */
export async function markNotificationsRead(
  ports: { store: Pick<NotificationStore, 'listFor' | 'markRead'>; now: () => Date },
  actor: Pick<Principal, 'email' | 'userId' | 'orgCode'>,
  cmd: { ids?: readonly string[]; all?: boolean; requestId: string },
): Promise<{ marked: number; unread: number }> {
  const recipient = recipientOf(actor.email);
  const mine = await ports.store.listFor(recipient, countWindow);
  const wanted = cmd.all ? undefined : new Set(cmd.ids ?? []);
  const unread = mine.filter((n) => !n.read && (!wanted || wanted.has(n.notificationId))).slice(0, maxMarkPerRequest);
  if (unread.length > 0) {
    await ports.store.markRead(
      recipient,
      unread.map((n) => n.notificationId),
      ports.now().toISOString(),
      { actor: actor.userId, orgCode: actor.orgCode, action: 'notification.read', target: `NOTIFY#${actor.userId}`, outcome: 'success', requestId: cmd.requestId, detail: { count: unread.length } },
    );
  }
  return { marked: unread.length, unread: mine.filter((n) => !n.read).length - unread.length };
}
