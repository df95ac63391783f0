import { describe, expect, it } from 'vitest';
import { handler as listHandler } from '#functions/identity/list-my-notifications.ts';
import { handler as markHandler } from '#functions/identity/mark-notifications-read.ts';
import { mailer, mailTransport } from '#runtime/ports/mail.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { ConflictError } from '#shared/errors.ts';
import { recordingMailer, type Notification, type NotificationStore } from '#shared/notifications/notifications.ts';
import { FakeMailer } from './custody-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

/** The registry's NOTIFY# items in memory, with the adapter's rules: newest first, a conditional audited mark. */
class FakeNotifications implements NotificationStore {
  readonly items: Notification[] = [];
  readonly audits: AuditEntry[] = [];
  async record(items: readonly Notification[]) {
    this.items.push(...items);
  }
  async listFor(recipient: string, limit: number) {
    return this.items.filter((n) => n.recipient === recipient).sort((a, b) => (a.notificationId < b.notificationId ? 1 : -1)).slice(0, limit);
  }
  async markRead(recipient: string, ids: readonly string[], readAt: string, entry: AuditEntry) {
    const hit = ids.map((id) => this.items.findIndex((n) => n.recipient === recipient && n.notificationId === id && !n.read));
    if (hit.some((i) => i < 0)) throw new ConflictError('NOTIFICATION_CHANGED', 'changed');
    for (const i of hit) this.items[i] = { ...this.items[i]!, read: true, readAt };
    this.audits.push(entry);
  }
}

const message = (to: string[], subject: string) => ({ to, subject, text: `请办理：https://chengguo.example.gov.cn/tasks/abc\n\n${subject}` });

describe('issue 13 我的通知: the mail port records what each person was emailed; GET /notifications shows the caller’s own, newest first, and marks them read (audited)', () => {
  it('records one notification per recipient (addresses in lower case, the first link kept) when the transport accepted the message; none when it refused', async () => {
    // prepare
    const store = new FakeNotifications();
    const sent = new FakeMailer();
    let clock = Date.parse('2026-12-03T08:00:00.000Z');
    const mail = recordingMailer(sent, store, () => new Date((clock += 1000)));
    const refusing = recordingMailer({ send: async () => Promise.reject(new Error('SMTP 550')) }, store);

    // act
    await mail.send(message(['Chen.Jing@example.gov.cn', 'zhou.hong@example.gov.cn', 'chen.jing@example.gov.cn'], '成果技术审核：A'));
    const refused = await refusing.send(message(['li.na@example.gov.cn'], 'X')).then(() => undefined, (e: unknown) => e);

    // assess
    expect(sent.sent).toHaveLength(1);
    expect(store.items.map((n) => [n.recipient, n.subject, n.link, n.read])).toEqual([
      ['chen.jing@example.gov.cn', '成果技术审核：A', 'https://chengguo.example.gov.cn/tasks/abc', false],
      ['zhou.hong@example.gov.cn', '成果技术审核：A', 'https://chengguo.example.gov.cn/tasks/abc', false],
    ]);
    expect(refused).toBeInstanceOf(Error);
    expect(store.items.filter((n) => n.recipient === 'li.na@example.gov.cn')).toEqual([]);
  });

  it('a failure to record does not fail the send (the email is out): it is logged', async () => {
    // prepare
    const sent = new FakeMailer();
    const logged: string[] = [];
    const mail = recordingMailer(sent, { record: async () => Promise.reject(new Error('throttled')) }, () => new Date(), (l) => logged.push(l));

    // act
    const out = await mail.send(message(['li.na@example.gov.cn'], '提醒'));

    // assess
    expect(out.messageId).toBe('1');
    expect(logged).toEqual([expect.stringContaining('notification not recorded')]);
  });

  it('is recorded where every message is delivered: SendMail’s transport port wraps the transport and needs the registry; senders only hand over', () => {
    // assess
    expect(mailTransport.env).toEqual(['mail', 'registry']);
    expect(String(mailTransport.build)).toContain('recordingMailer');
    expect(mailer.env).toEqual(['mailHandover']);
    expect(String(mailer.build)).not.toContain('recordingMailer');
  });

  it('GET /notifications lists only the caller’s own, newest first, with the unread count; POST /notifications/read marks the caller’s own once (audited), others’ ids change nothing', async () => {
    // prepare
    const w = await submissionWorld();
    const store = new FakeNotifications();
    let clock = Date.parse('2026-12-03T08:00:00.000Z');
    const mail = recordingMailer(new FakeMailer(), store, () => new Date((clock += 1000)));
    await mail.send(message(['zhou.hong@example.gov.cn'], '【通报】一'));
    await mail.send(message(['zhou.hong@example.gov.cn', 'li.na@example.gov.cn'], '【安全事件】二'));
    await mail.send(message(['li.na@example.gov.cn'], '汇交提醒'));
    const ports = { verifier: portsFor(w).verifier, identity: w.identity, notifications: store, now: () => new Date('2026-12-03T09:00:00.000Z') };
    const list = listHandler.with(ports as never);
    const mark = markHandler.with(ports as never);
    const linasId = store.items.find((n) => n.recipient === 'li.na@example.gov.cn')!.notificationId;

    // act
    const before = await call(list as never, 'GET', '/notifications', { user: 'zhou.hong' });
    const newest = before.body.items[0].notificationId as string;
    const foreign = await call(mark as never, 'POST', '/notifications/read', { user: 'zhou.hong', body: { ids: [linasId] } });
    const marked = await call(mark as never, 'POST', '/notifications/read', { user: 'zhou.hong', body: { ids: [newest] } });
    const again = await call(mark as never, 'POST', '/notifications/read', { user: 'zhou.hong', body: { ids: [newest] } });
    const after = await call(list as never, 'GET', '/notifications', { user: 'zhou.hong' });
    const unreadOnly = await call(list as never, 'GET', '/notifications', { user: 'zhou.hong', query: { unread: 'true' } });
    const lina = await call(list as never, 'GET', '/notifications', { user: 'li.na' });
    const badLimit = await call(list as never, 'GET', '/notifications', { user: 'zhou.hong', query: { limit: '0' } });
    const anonymous = await call(list as never, 'GET', '/notifications', {});

    // assess
    expect(before.status).toBe(200);
    expect(before.body.items.map((n: { subject: string }) => n.subject)).toEqual(['【安全事件】二', '【通报】一']);
    expect(before.body.unread).toBe(2);
    expect(JSON.stringify(before.body)).not.toContain('recipient');
    expect(foreign.body).toEqual({ marked: 0, unread: 2 });
    expect(marked.body).toEqual({ marked: 1, unread: 1 });
    expect(again.body).toEqual({ marked: 0, unread: 1 });
    expect(store.audits).toEqual([expect.objectContaining({ actor: 'zhou.hong', action: 'notification.read', detail: { count: 1 } })]);
    expect(after.body.items[0]).toMatchObject({ notificationId: newest, read: true, readAt: '2026-12-03T09:00:00.000Z' });
    expect(unreadOnly.body.items.map((n: { subject: string }) => n.subject)).toEqual(['【通报】一']);
    expect(lina.body).toMatchObject({ unread: 2, items: [{ subject: '汇交提醒' }, { subject: '【安全事件】二', read: false }] });
    expect(badLimit.status).toBe(400);
    expect(JSON.stringify(badLimit.body)).toContain('query.limit');
    expect(anonymous.status).toBe(401);
  });
});
