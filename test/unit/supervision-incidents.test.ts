import { describe, expect, it } from 'vitest';
import { DynamoIncidentResults, DynamoIncidentStore } from '#adapters/dynamo-incidents.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import { orgItem, userItem } from '#adapters/dynamo-identity.ts';
import { bulletinRenderers } from '#adapters/bulletin-render.ts';
import { handler as reportHandler } from '#functions/supervision/report-incident.ts';
import { handler as moveHandler } from '#functions/supervision/move-incident.ts';
import { handler as listHandler } from '#functions/supervision/list-incidents.ts';
import { handler as getHandler } from '#functions/supervision/get-incident.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { ConflictError } from '#shared/errors.ts';
import type { BulletinFiles } from '#shared/ports/supervision.ts';
import { issueBulletin } from '#shared/supervision/bulletin.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { InMemoryRegistryAccess, call, portsFor, submissionWorld } from './submission-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';

class MemoryFiles implements BulletinFiles {
  readonly objects = new Map<string, Uint8Array>();
  async putOnce(key: string, body: Uint8Array | string): Promise<boolean> {
    if (this.objects.has(key)) return false;
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    return true;
  }
  async get(key: string) {
    return this.objects.get(key);
  }
}

/** Two catalogued results of 广东省自然资源厅: one 秘密 (secret), one 内部 (internal); another province with its supervisor. */
async function incidentWorld() {
  const w = await submissionWorld();
  const cat = catalogueWorld(w);
  const numbers: Record<'secret' | 'internal', string> = { secret: '', internal: '' };
  for (const classification of ['secret', 'internal'] as const) {
    const submissionId = await verifiedSubmission(w, { classification, name: `事件测试成果（${classification}）` });
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: `reg-${classification}` });
    numbers[classification] = entry.resultNumber;
  }
  w.tables.put('registry', orgItem({ code: '450000-NR', name: '广西壮族自治区自然资源厅', regionCode: '450000', level: 'provincial', type: 'naturalResources', parentCode: '100000-NR' }));
  w.tables.put('registry', userItem({ userId: 'wei.lan', name: '韦兰', email: 'wei.lan@example.gov.cn', orgCode: '450000-NR', roles: ['supervisor'], clearance: 'internal' }));
  const incidents = new DynamoIncidentStore(new InMemoryRegistryAccess(w.tables));
  const mailer = new RecordingMailer();
  let n = 0;
  const ports = {
    verifier: portsFor(w).verifier,
    identity: w.identity,
    incidents,
    catalogue: new DynamoIncidentResults(new InMemoryRegistryAccess(w.tables)),
    mailer,
    now: () => w.now,
    newId: () => `0000000${(n += 1)}`.slice(-8),
    appBaseUrl: 'https://chengguo.example.gov.cn',
  };
  const report = (user: string, body: unknown) => call(reportHandler.with(ports) as never, 'POST', '/supervision/incidents', { user, body });
  const move = (user: string, incidentId: string, body: unknown) =>
    call(moveHandler.with(ports) as never, 'POST', `/supervision/incidents/${incidentId}/transitions`, { user, body, pathParameters: { incidentId } });
  const get = (user: string, incidentId: string) => call(getHandler.with(ports) as never, 'GET', `/supervision/incidents/${incidentId}`, { user, pathParameters: { incidentId } });
  const list = (user: string, query?: Record<string, string>) => call(listHandler.with(ports) as never, 'GET', '/supervision/incidents', { user, ...(query ? { query } : {}) });
  return { w, numbers, incidents, mailer, report, move, get, list };
}

const lossOf = (resultNumbers: string[]) => ({ kind: 'loss', description: '外业用移动硬盘在出差途中遗失', resultNumbers, foundOn: '2026-01-05', measures: '已报告单位保密办，正在查找' });

describe('R20.1 issue 14 §3: security incidents (泄密、丢失、损毁) — reported by anyone, emailed at once, a timeline, clearance on every read', () => {
  it('li.na reports a loss of two results: 201, the organiser’s reviewers and the supervisors above emailed at once by number only, audited and counted in the same transaction', async () => {
    // prepare
    const { w, numbers, mailer, report } = await incidentWorld();
    const audit = w.identity.auditRecords().length;

    // act
    const out = await report('li.na', lossOf([numbers.secret, numbers.internal]));

    // assess
    expect(out.status).toBe(201);
    expect(out.body.incident).toMatchObject({ kind: 'loss', kindLabel: '丢失', state: 'reported', ownerOrg: '440000-NR', reportedBy: 'li.na' });
    expect(out.body.incident.results).toEqual([
      { resultNumber: numbers.secret, hidden: true, name: '（涉密，需相应密级查看）' },
      expect.objectContaining({ resultNumber: numbers.internal, hidden: false, classification: 'internal' }),
    ]);
    expect(out.body.notified).toEqual(['chen.jing@example.gov.cn', 'sun.yue@example.gov.cn', 'zhou.hong@example.gov.cn']);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.subject).toContain('丢失');
    expect(mailer.sent[0]!.text).toContain(numbers.secret);
    expect(mailer.sent[0]!.text).not.toContain('事件测试成果（secret）');
    // The console's incident page, not the API route (which answers raw JSON in a browser); no English line.
    const incidentId = String(out.body.incident.incidentId);
    expect(mailer.sent[0]!.text).toContain(`/console/supervision/incidents/${incidentId}`);
    expect(mailer.sent[0]!.html).toContain(`/console/supervision/incidents/${incidentId}`);
    expect(mailer.sent[0]!.text).not.toMatch(/\/\/[^/\s]+\/supervision\/incidents\/|GET \/|POST \/|Security incident/);
    const records = w.identity.auditRecords().slice(audit);
    expect(records.map((r) => r.action)).toEqual(['supervision.incident.report']);
    const counters = await new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)).read('440000-NR', '2026-01', '2026-12');
    expect(counters.reduce((n, c) => n + (c.values['R20.1.incidents'] ?? 0), 0)).toBe(1);
  }, 60_000);

  it('bad input changes nothing and names the field: an unknown result number, a future day, an unknown kind', async () => {
    // prepare
    const { w, numbers, mailer, report } = await incidentWorld();
    const audit = w.identity.auditRecords().length;

    // act
    const unknown = await report('li.na', lossOf([numbers.internal, '440000-CUS-2026-GT-999999']));
    const future = await report('li.na', { ...lossOf([numbers.internal]), foundOn: '2099-01-01' });
    const kind = await report('li.na', { ...lossOf([numbers.internal]), kind: 'theft' });
    const malformed = await report('li.na', lossOf(['CG-1']));

    // assess
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.resultNumbers[1]');
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('body.foundOn');
    expect(kind.status).toBe(400);
    expect(JSON.stringify(kind.body)).toContain('kind');
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('resultNumbers');
    expect(w.identity.auditRecords().length).toBe(audit);
    expect(mailer.sent).toHaveLength(0);
  }, 60_000);

  it('reads apply scope and clearance: the reporter and 广东’s reviewers and supervisors read it (secret result hidden below 秘密); another province and a requester get 404', async () => {
    // prepare
    const { numbers, report, get, list } = await incidentWorld();
    const id = String((await report('li.na', lossOf([numbers.secret, numbers.internal]))).body.incident.incidentId);

    // act
    const reporter = await get('li.na', id);
    const supervisor = await get('zhou.hong', id);
    const reviewer = await get('chen.jing', id);
    const ministry = await list('sun.yue', { org: '100000-NR' });
    const foreign = await get('wei.lan', id);
    const foreignList = await list('wei.lan', { org: '440000-NR' });
    const requester = await get('luo.xin', id);

    // assess
    expect(reporter.status).toBe(200);
    expect(supervisor.status).toBe(200);
    expect(supervisor.body.incident.results[0]).toMatchObject({ resultNumber: numbers.secret, hidden: true });
    expect(reviewer.body.incident.results[0]).toMatchObject({ resultNumber: numbers.secret, hidden: false, name: '事件测试成果（secret）' });
    expect(ministry.status).toBe(200);
    expect(ministry.body.items.map((i: { incidentId: string }) => i.incidentId)).toEqual([id]);
    expect(foreign.status).toBe(404);
    expect(foreignList.status).toBe(404);
    expect(requester.status).toBe(404);
  }, 60_000);

  it('the timeline: reported → verified → measures → closed with conclusions, by the organiser or a supervisor; a repeat changes nothing, a skip is 409, the reporter 403, closing without conclusions 400; each step audited', async () => {
    // prepare
    const { w, numbers, report, move, list, incidents } = await incidentWorld();
    const id = String((await report('li.na', lossOf([numbers.internal]))).body.incident.incidentId);
    const audit = w.identity.auditRecords().length;

    // act
    const verified = await move('chen.jing', id, { to: 'verified', note: '已核实：硬盘确已遗失' });
    const repeat = await move('zhou.hong', id, { to: 'verified', note: '再次提交' });
    const skip = await move('zhou.hong', id, { to: 'closed', note: '直接结案', conclusions: '—' });
    const byReporter = await move('li.na', id, { to: 'measures', note: '我来处理' });
    const measures = await move('zhou.hong', id, { to: 'measures', note: '已远程注销硬盘加密密钥' });
    const noConclusions = await move('zhou.hong', id, { to: 'closed', note: '结案' });
    const closed = await move('sun.yue', id, { to: 'closed', note: '结案', conclusions: '硬盘已加密，未造成泄密；对责任人批评教育' });
    const stale = await incidents.update({ ...(await incidents.get(id))!, state: 'closed' }, 'measures', { actor: 'x', orgCode: '440000-NR', action: 'x', target: 'x', outcome: 'success', requestId: 'x' }).then(() => 'written', (e: unknown) => e);
    const open = await list('zhou.hong', { state: 'open' });

    // assess
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ changed: true, incident: { state: 'verified' } });
    expect(repeat.status).toBe(200);
    expect(repeat.body.changed).toBe(false);
    expect(skip.status).toBe(409);
    expect(byReporter.status).toBe(403);
    expect(measures.body.incident.state).toBe('measures');
    expect(noConclusions.status).toBe(400);
    expect(JSON.stringify(noConclusions.body)).toContain('body.conclusions');
    expect(closed.status).toBe(200);
    expect(closed.body.incident).toMatchObject({ state: 'closed', conclusions: '硬盘已加密，未造成泄密；对责任人批评教育' });
    expect(closed.body.incident.timeline.map((s: { state: string; by: string }) => `${s.state}:${s.by}`)).toEqual(['reported:li.na', 'verified:chen.jing', 'measures:zhou.hong', 'closed:sun.yue']);
    expect(w.identity.auditRecords().slice(audit).map((r) => r.action)).toEqual(['supervision.incident.verified', 'supervision.incident.measures', 'supervision.incident.closed']);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(open.body.items).toEqual([]);
  }, 60_000);

  it('R21.1 the incident counts in the next bulletin’s security section (安全保密), no longer 尚无数据', async () => {
    // prepare
    const { w, numbers, report } = await incidentWorld();
    await report('li.na', lossOf([numbers.internal]));
    const month = w.now.toISOString().slice(0, 7);
    const files = new MemoryFiles();
    const store = new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables));
    const ports = { identity: w.identity, counters: () => new DynamoSupervisionStore(new InMemoryRegistryAccess(w.tables)), clocks: store, renderers: bulletinRenderers, files, bulletins: store, mailer: new RecordingMailer(), now: () => w.now, appBaseUrl: 'https://x' };

    // act
    const out = await issueBulletin(ports, { actor: { system: 'MonthlyBulletins' }, org: '440000-NR', period: month, requestId: 'b' });

    // assess
    const data = JSON.parse(new TextDecoder().decode(files.objects.get(out.bulletin.keys.json)));
    expect(data.total['R20.1.incidents']).toBe(1);
    expect(data.sections.find((s: { id: string }) => s.id === 'security')).toMatchObject({ hasData: true });
    const html = new TextDecoder().decode(files.objects.get(out.bulletin.keys.html));
    expect(html).not.toMatch(/安全保密（R20.1）<\/h2><p class="nodata">/);
  }, 60_000);
});
