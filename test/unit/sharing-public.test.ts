import { describe, expect, it } from 'vitest';
import { handler as answerHandler } from '#functions/sharing/answer-public-application.ts';
import { handler as extendHandler } from '#functions/sharing/extend-public-application.ts';
import { handler as getHandler } from '#functions/sharing/get-public-application.ts';
import { handler as listHandler } from '#functions/sharing/list-public-applications.ts';
import { handler as formHandler } from '#functions/sharing/public-application-form.ts';
import { handler as submitHandler } from '#functions/sharing/submit-public-application.ts';
import { handler as verifyHandler } from '#functions/sharing/verify-public-application.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { applyEffects, effectsOf, type Clock } from '#shared/supervision/clocks.ts';
import { codeHash } from '#shared/sharing/public.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakePublicApplicationStore } from './sharing-fakes.ts';
import { call, portsFor, submissionWorld } from './submission-fakes.ts';

/** The world's clock: 2026-09-21 (China). */
async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const numbers: Record<'public' | 'internal', string> = { public: '', internal: '' };
  for (const classification of ['public', 'internal'] as const) {
    const submissionId = await verifiedSubmission(world, { classification, name: `公众申请测试成果（${classification}）` });
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: `reg-${classification}` });
    numbers[classification] = entry.resultNumber;
  }
  const store = new FakePublicApplicationStore();
  const mailer = new FakeMailer();
  let n = 0;
  let codes = 0;
  const base = portsFor(world);
  const ports = {
    verifier: base.verifier,
    identity: world.identity,
    catalogue: cat.store,
    publicApplications: store,
    calendar: world.ports.calendar,
    mailer,
    now: () => world.now,
    newId: () => `7b000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    // Distinct, known codes: 100001, 100002, …
    newCode: () => String(100000 + ++codes),
  };
  return { world, numbers, store, mailer, ports };
}
type World = Awaited<ReturnType<typeof setup>>;

const form = (extra: Record<string, unknown> = {}) => ({
  kind: 'reuse',
  name: '张明',
  phone: '13800138000',
  email: 'zhang.ming@example.cn',
  subject: '申请利用已发布的土地利用现状成果开展课题研究',
  purpose: '高校科研：珠三角生态用地变化分析',
  ...extra,
});
const submit = (w: World, body: unknown) => call(submitHandler.with(w.ports), 'POST', '/public/applications', { body });
const verify = (w: World, applicationId: string, code: string) =>
  call(verifyHandler.with(w.ports), 'POST', `/public/applications/${applicationId}/verification`, { pathParameters: { applicationId }, body: { code } });
const codeIn = (w: World) => /验证码：(\d{6})/.exec(w.mailer.sent.at(-1)!.text)![1]!;

/** Submitted and verified (received on 2026-09-21). */
async function received(w: World, extra: Record<string, unknown> = {}) {
  const res = await submit(w, form({ resultNumber: w.numbers.public, ...extra }));
  const applicationId = res.body.application.applicationId as string;
  const ok = await verify(w, applicationId, codeIn(w));
  expect(ok.status).toBe(200);
  return applicationId;
}

/** The R16.3 clocks the audit records' supervision effects produce, replayed in order. */
function clocksOf(w: World): Map<string, Clock> {
  const clocks = new Map<string, Clock>();
  for (const a of w.store.audits) {
    const effects = effectsOf(a);
    if (!effects) continue;
    for (const c of applyEffects(effects, (id) => clocks.get(id)).clocks) clocks.set(c.after.clockId, c.after);
  }
  return clocks;
}

describe('R14.2 R16.3 public applications without an account: POST /public/applications', () => {
  it('stores the application unverified with the one-time code hashed, emails the code, and starts no clock until it is verified', async () => {
    const w = await setup();

    const res = await submit(w, form({ resultNumber: w.numbers.public }));

    expect(res.status).toBe(202);
    const { applicationId } = res.body.application;
    expect(res.body.application).toMatchObject({ status: 'unverified', statusLabel: '待验证邮箱', expiresAt: new Date(w.world.now.getTime() + 30 * 60_000).toISOString() });
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.mailer.sent[0]!.to).toEqual(['zhang.ming@example.cn']);
    expect(w.mailer.sent[0]!.text).toContain('验证码：100001');
    const stored = w.store.apps.get(applicationId)!;
    expect(stored).toMatchObject({ status: 'unverified', answeringOrg: '440000-NR', resultNumber: w.numbers.public });
    // Hashed, never the code itself.
    expect(JSON.stringify(stored)).not.toContain('100001');
    expect(stored.verification!.codeHash).toBe(codeHash(applicationId, '100001'));
    expect(Date.parse(stored.verification!.expiresAt) - w.world.now.getTime()).toBe(30 * 60_000);
    expect(w.store.audits.map((a) => a.action)).toEqual(['sharing.public.submit']);
    expect(effectsOf(w.store.audits[0]!)).toBeUndefined();
    const list = await call(listHandler.with(w.ports), 'GET', '/sharing/public-applications', { user: 'chen.jing', query: {} });
    expect(list.body.items).toEqual([]);
  });

  it('refuses bad input with a 400 naming the field — an internal result as an unknown one — and stores nothing, emails nothing', async () => {
    const w = await setup();
    const cases: Array<[unknown, string]> = [
      [form({ resultNumber: '440000-CUS-2026-GT-999999' }), 'body.resultNumber'],
      [form({ resultNumber: w.numbers.internal }), 'body.resultNumber'],
      [form(), 'body.resultNumber'],
      [form({ kind: 'disclosure' }), 'body.answeringOrg'],
      [form({ kind: 'disclosure', answeringOrg: '449999-NR' }), 'body.answeringOrg'],
      [form({ resultNumber: w.numbers.public, email: 'not-an-email' }), 'body.email'],
      [form({ resultNumber: w.numbers.public, name: '' }), 'body.name'],
      [form({ resultNumber: w.numbers.public, phone: undefined }), 'body.phone'],
      [form({ resultNumber: w.numbers.public, purpose: '用' }), 'body.purpose'],
      [form({ resultNumber: w.numbers.public, kind: 'fee' }), 'body.kind'],
    ];
    for (const [body, field] of cases) {
      const res = await submit(w, body);
      expect(res.status, field).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(body)).toContain(field);
    }
    const unknown = (await submit(w, cases[0]![0])).body.error.message;
    const internal = (await submit(w, cases[1]![0])).body.error.message;
    expect(internal.replace(w.numbers.internal, 'N')).toBe(unknown.replace('440000-CUS-2026-GT-999999', 'N'));
    expect(w.store.apps.size).toBe(0);
    expect(w.store.audits).toEqual([]);
    expect(w.mailer.sent).toEqual([]);
  });

  it('takes a disclosure application addressed to a named organisation', async () => {
    const w = await setup();
    const res = await submit(w, form({ kind: 'disclosure', answeringOrg: '440000-NR', subject: '申请公开 2025 年全省耕地保护目标责任考核结果' }));
    expect(res.status).toBe(202);
    expect(w.store.apps.get(res.body.application.applicationId)).toMatchObject({ kind: 'disclosure', answeringOrg: '440000-NR', regionCode: '440000' });
  });

  it('bounds the applications (and code emails) of one address per day: the sixth is 409 and stores nothing', async () => {
    const w = await setup();
    for (let i = 0; i < 5; i++) expect((await submit(w, form({ resultNumber: w.numbers.public }))).status).toBe(202);

    const sixth = await submit(w, form({ resultNumber: w.numbers.public, email: 'Zhang.Ming@Example.cn' }));

    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe('TOO_MANY_APPLICATIONS');
    expect(w.store.apps.size).toBe(5);
    expect(w.mailer.sent).toHaveLength(5);
    w.world.now = new Date('2026-09-22T02:00:00.000Z');
    expect((await submit(w, form({ resultNumber: w.numbers.public }))).status).toBe(202);
  });
});

describe('R16.3 verification by the emailed code: POST /public/applications/{id}/verification', () => {
  it('the right code receives the application: answer due in 20 working days, the R16.3 clock started for the organiser, listed, the applicant emailed', async () => {
    const w = await setup();
    const res = await submit(w, form({ resultNumber: w.numbers.public }));
    const id = res.body.application.applicationId as string;

    const ok = await verify(w, id, '100001');

    const due = (await w.ports.calendar()).deadline('2026-09-21', 20).due;
    expect(ok.status).toBe(200);
    expect(ok.body.application).toMatchObject({ status: 'open', receivedOn: '2026-09-21', due });
    expect(w.store.apps.get(id)!.verification).toBeUndefined();
    expect(clocksOf(w).get(`R16.3#${id}`)).toMatchObject({ state: 'running', ownerOrg: '440000-NR', start: '2026-09-21', due });
    expect(w.mailer.sent.at(-1)!.subject).toContain('申请已收到');
    expect(w.mailer.sent.at(-1)!.text).toContain(`${due} 前`);
    const list = await call(listHandler.with(w.ports), 'GET', '/sharing/public-applications', { user: 'chen.jing', query: {} });
    expect(list.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([id]);
    expect((await verify(w, id, '100001')).body.error.code).toBe('ALREADY_VERIFIED');
  });

  it('a wrong code is counted and named (body.code); after five the right one is refused (409 CODE_LOCKED); an expired code is 409 CODE_EXPIRED', async () => {
    const w = await setup();
    const id = (await submit(w, form({ resultNumber: w.numbers.public }))).body.application.applicationId as string;

    const first = await verify(w, id, '999999');
    expect(first.status).toBe(400);
    expect(first.body.error.details[0]).toMatchObject({ field: 'body.code', code: 'WRONG_CODE' });
    expect(first.body.error.message).toContain('还可输入 4 次');
    for (let i = 0; i < 4; i++) expect((await verify(w, id, '999999')).status).toBe(400);
    const locked = await verify(w, id, '100001');
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('CODE_LOCKED');
    expect(w.store.apps.get(id)!.status).toBe('unverified');
    expect(clocksOf(w).size).toBe(0);

    const late = (await submit(w, form({ resultNumber: w.numbers.public }))).body.application.applicationId as string;
    w.world.now = new Date(w.world.now.getTime() + 31 * 60_000);
    const expired = await verify(w, late, '100002');
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe('CODE_EXPIRED');
    expect(w.store.apps.get(late)!.status).toBe('unverified');
  });

  it('a malformed code is 400 body.code and counts nothing; an unknown application is 404', async () => {
    const w = await setup();
    const id = (await submit(w, form({ resultNumber: w.numbers.public }))).body.application.applicationId as string;
    const bad = await verify(w, id, '12ab');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.code');
    expect(w.store.apps.get(id)!.verification!.attempts).toBe(0);
    expect((await verify(w, '7b000000-0000-4000-8000-999999999999', '100001')).status).toBe(404);
  });
});

describe('R16.3 the answering organisation: list, read, extend once, answer with the legal ground', () => {
  it('only the answering organisation reads it (others 404); only reviewers extend and answer', async () => {
    const w = await setup();
    const id = await received(w);
    const pp = { applicationId: id };
    expect((await call(getHandler.with(w.ports), 'GET', `/sharing/public-applications/${id}`, { user: 'chen.jing', pathParameters: pp })).status).toBe(200);
    expect((await call(getHandler.with(w.ports), 'GET', `/sharing/public-applications/${id}`, { user: 'luo.xin', pathParameters: pp })).status).toBe(404);
    expect((await call(listHandler.with(w.ports), 'GET', '/sharing/public-applications', { user: 'luo.xin', query: {} })).body.items).toEqual([]);
    const byAdmin = await call(answerHandler.with(w.ports), 'POST', `/sharing/public-applications/${id}/answer`, { user: 'wang.qiang', pathParameters: pp, body: { outcome: 'granted', text: '同意利用，请注明成果来源' } });
    expect(byAdmin.status).toBe(403);
    expect(w.store.apps.get(id)!.status).toBe('open');
  });

  it('extends once by 20 working days with the reason recorded: the clock moves, the applicant is told; a second extension is 409', async () => {
    const w = await setup();
    const id = await received(w);
    const pp = { applicationId: id };
    const path = `/sharing/public-applications/${id}/extension`;
    const cal = await w.ports.calendar();
    const firstDue = cal.deadline('2026-09-21', 20).due;

    const short = await call(extendHandler.with(w.ports), 'POST', path, { user: 'chen.jing', pathParameters: pp, body: { reason: '忙' } });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].field).toBe('body.reason');
    const res = await call(extendHandler.with(w.ports), 'POST', path, { user: 'chen.jing', pathParameters: pp, body: { reason: '涉及多个保管单位，需要征求意见' } });

    const extended = cal.deadline(firstDue, 20).due;
    expect(res.status).toBe(200);
    expect(res.body.application).toMatchObject({ due: extended, extension: { previousDue: firstDue, due: extended, reason: '涉及多个保管单位，需要征求意见', by: 'chen.jing' } });
    expect(clocksOf(w).get(`R16.3#${id}`)).toMatchObject({ state: 'running', start: '2026-09-21', due: extended });
    expect(w.mailer.sent.at(-1)!.text).toContain('延长理由：涉及多个保管单位，需要征求意见');
    const again = await call(extendHandler.with(w.ports), 'POST', path, { user: 'chen.jing', pathParameters: pp, body: { reason: '还需要更多时间征求意见' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_EXTENDED');
  });

  it('an extension after the due date is 409 DEADLINE_PASSED', async () => {
    const w = await setup();
    const id = await received(w);
    w.world.now = new Date('2026-12-01T02:00:00.000Z');
    const res = await call(extendHandler.with(w.ports), 'POST', `/sharing/public-applications/${id}/extension`, { user: 'chen.jing', pathParameters: { applicationId: id }, body: { reason: '涉及多个保管单位，需要征求意见' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('DEADLINE_PASSED');
  });

  it('refused without a legal ground is 400 body.legalGround and changes nothing; answered, it is emailed in Chinese and the clock is met once', async () => {
    const w = await setup();
    const id = await received(w);
    const pp = { applicationId: id };
    const path = `/sharing/public-applications/${id}/answer`;
    const mails = w.mailer.sent.length;

    const bare = await call(answerHandler.with(w.ports), 'POST', path, { user: 'chen.jing', pathParameters: pp, body: { outcome: 'refused', text: '该成果不属于本机关公开范围' } });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.legalGround']);
    expect(w.store.apps.get(id)!.status).toBe('open');
    expect(w.mailer.sent.length).toBe(mails);

    w.world.now = new Date('2026-10-09T02:00:00.000Z');
    const res = await call(answerHandler.with(w.ports), 'POST', path, {
      user: 'chen.jing',
      pathParameters: pp,
      body: { outcome: 'partly', legalGround: '《中华人民共和国政府信息公开条例》第三十七条', text: '可提供成果的公开部分；涉及个人信息的图层不予提供' },
    });

    expect(res.status).toBe(200);
    expect(res.body.application).toMatchObject({ status: 'answered', statusLabel: '已答复', answer: { outcome: 'partly', outcomeLabel: '部分提供（部分公开）', by: 'chen.jing' } });
    const mail = w.mailer.sent.at(-1)!;
    expect(mail.to).toEqual(['zhang.ming@example.cn']);
    expect(mail.subject).toContain('部分提供');
    expect(mail.text).toContain('法律依据：《中华人民共和国政府信息公开条例》第三十七条');
    expect(mail.text).toContain('行政复议');
    expect(clocksOf(w).get(`R16.3#${id}`)).toMatchObject({ state: 'met', metOn: '2026-10-09', late: false });
    const again = await call(answerHandler.with(w.ports), 'POST', path, { user: 'chen.jing', pathParameters: pp, body: { outcome: 'granted', text: '同意利用，请注明成果来源' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ANSWERED');
  });
});

describe('R14.2 R16.3 the public application form: GET /public/applications/form', () => {
  it('serves a static page (no token) whose only script, by nonce, posts to the public routes; a result number is prefilled; a bad one is 400 naming the query field', async () => {
    const w = await setup();

    const res = await call(formHandler.with(w.ports), 'GET', '/public/applications/form', { query: { resultNumber: w.numbers.public } });
    const bad = await call(formHandler.with(w.ports), 'GET', '/public/applications/form', { query: { resultNumber: '<script>' } });

    expect(res.status).toBe(200);
    const html = String(res.body);
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))![1];
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain("post('/public/applications', body)");
    expect(html).toContain('/verification');
    expect(html).toContain(JSON.stringify({ resultNumber: w.numbers.public }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('query.resultNumber');
    expect(w.store.apps.size).toBe(0);
  });
});
