import { describe, expect, it } from 'vitest';
import type { HumanTask } from '#shared/ports/tasks.ts';
import type { User } from '#shared/schemas/identity.ts';
import { consoleUrl, named, orgLabel, taskMail, userLabel } from '#shared/tasks/mail.ts';
import { FakeIdentity } from './identity-fakes.ts';

const to: User = { userId: 'zhang.wei', name: '张伟', email: 'zhang.wei@example.gov.cn', orgCode: '440000-CUS', roles: ['custodian'], clearance: 'secret' };

function taskOf(kind: string): HumanTask {
  return {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    kind,
    subject: { submissionId: 's1' },
    title: '成果移交接收确认：2026 年度广东省国土变更调查成果',
    assigneeOrg: '440000-CUS',
    assignees: ['zhang.wei'],
    status: 'open',
    createdAt: '2026-09-21T02:00:00.000Z',
    due: '2026-09-28',
    expiresAt: '2026-10-12T02:00:00.000Z',
    escalationLevel: 0,
  };
}

const mailFor = (kind: string) => taskMail({ kind: 'assigned', task: taskOf(kind), to, kindLabel: '任务', details: [], appBaseUrl: 'https://chengguo.example.gov.cn' });

describe('R7.1 human-task emails: the choices the reader is offered', () => {
  it.each([
    ['technicalReview', '“通过”或“退回”'],
    ['custodyReceipt', '“确认接收”或“退回”'],
    ['forestryCopyAck', '“确认收到”或“退回”'],
    ['catalogueReportAck', '“确认接收”或“退回”'],
    ['destructionApproval', '“批准销毁”或“驳回”'],
  ])('offers the %s reader the words of its page: %s', (kind, words) => {
    const mail = mailFor(kind);

    expect(mail.text).toContain(`可选择${words}`);
    expect(mail.html).toContain(words);
  });

  it('mentions the verification report only for the technical review', () => {
    expect(mailFor('technicalReview').text).toContain('核验报告');
    expect(mailFor('custodyReceipt').text).not.toContain('核验报告');
    expect(mailFor('destructionApproval').text).not.toContain('“通过”');
  });

  it('greets the reader by name', () => {
    expect(mailFor('custodyReceipt').text.startsWith('张伟，您好：')).toBe(true);
  });
});

describe('R7.1 human-task emails: people and organisations by name', () => {
  it('names a user and an organisation first, their id or code after it, and shows an unknown one as given', async () => {
    const identity = await FakeIdentity.seeded();

    expect(await userLabel(identity, 'chen.jing')).toBe('陈静（chen.jing）');
    expect(await userLabel(identity, 'system:Transfer')).toBe('system:Transfer');
    expect(await orgLabel(identity, '440000-CUS')).toBe('广东省自然资源技术中心（440000-CUS）');
    expect(await orgLabel(identity, '990000-X')).toBe('990000-X');
    expect(named(undefined, 'x')).toBe('x');
  });
});

describe('R15.1 R16.2 R19.3 R20.1 emailed links: console pages on the same site, never API routes', () => {
  it('builds <site>/console/<segments>, each segment encoded, whatever trailing slashes the site has', () => {
    expect(consoleUrl('http://127.0.0.1:9700', 'sharing', 'grants', 'a1-440000-NR')).toBe('http://127.0.0.1:9700/console/sharing/grants/a1-440000-NR');
    expect(consoleUrl('https://chengguo.example.gov.cn//', 'catalogue', '440000-CUS-2026-GT-000001')).toBe('https://chengguo.example.gov.cn/console/catalogue/440000-CUS-2026-GT-000001');
    // An id is one path segment: a slash or a query in it cannot reach another route.
    expect(consoleUrl('https://x', 'supervision', 'incidents', '../admin?x=1')).toBe('https://x/console/supervision/incidents/..%2Fadmin%3Fx%3D1');
  });
});
