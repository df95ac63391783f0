import { describe, expect, it } from 'vitest';
import { DynamoReleaseStore } from '#adapters/dynamo-release.ts';
import { DynamoDownloadLog, downloadCounterMetrics } from '#adapters/dynamo-downloads.ts';
import { handler as downloadHandler } from '#functions/publication/download-release-file.ts';
import { handler as withdrawHandler } from '#functions/publication/withdraw-release.ts';
import { handler as publishHandler } from '#functions/publication/publish-release.ts';
import { buildPublicCatalogue } from '#shared/catalogue/public/build.ts';
import { seedAuthorityTable } from '#shared/publication/authority.ts';
import { announceRelease, parsePublicPlatforms, releaseLinks } from '#shared/publication/announce.ts';
import {
  anonymiseClient,
  approveRelease,
  publishRelease,
  releaseFileKey,
  requestDownload,
  type DownloadLogEntry,
  type ReleaseFileStore,
} from '#shared/publication/publish.ts';
import { createRelease, type DesensitisationRecord } from '#shared/publication/release.ts';
import { recordWithdrawalDecision, requestWithdrawal, type WithdrawalDecision } from '#shared/publication/withdrawal.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakeOpenTasks, FakeReleaseFiles, TableDerivedProducts, internalSourceWithPackage } from './publication-fakes.ts';
import { rebuildCounters } from '#shared/supervision/rebuild-run.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { call, portsFor, standardFiles, type SubmissionWorld } from './submission-fakes.ts';

const record: DesensitisationRecord = {
  changes: [{ action: 'shifted', target: 'coordinates', description: '全部要素坐标按国家规定的非线性偏移处理' }],
  method: '坐标偏移插件 2.1',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广东省国土资源测绘院 郭涛',
  performedOn: '2026-09-20',
};

class MemoryDownloadLog {
  readonly entries: DownloadLogEntry[] = [];
  async record(e: DownloadLogEntry): Promise<void> {
    this.entries.push(e);
  }
}

/** A 广东 land-cover source (内部), its 公开 release registered by 刘洋 (pending). */
async function setup(opts: { forSale?: boolean } = {}) {
  const { world, cat, source, pkg } = await internalSourceWithPackage('2026 年度广东省地表覆盖监测成果（公开版）');
  const releases = new DynamoReleaseStore(cat.table);
  const { release } = await createRelease(
    { catalogue: cat.store, submissions: world.store, identity: world.identity, releases, now: () => world.now },
    {
      actor: await world.user('liu.yang'),
      resultNumber: source.resultNumber,
      body: { submissionId: pkg, classification: 'public', desensitisation: record, ...(opts.forSale ? { forSale: { publisher: '广东省地图出版社', ordering: '电话 020-12345678，或到广州市环市东路 468 号门市部购买' } } : {}) },
      requestId: 'create',
    },
  );
  const files = new FakeReleaseFiles(world);
  const downloads = new MemoryDownloadLog();
  const ports = {
    catalogue: cat.store,
    submissions: world.store,
    releaseFiles: files,
    downloads,
    identity: world.identity,
    authorities: { current: async () => seedAuthorityTable, version: async () => undefined },
    workflow: world.workflow,
    mailer: new FakeMailer(),
    humanTasks: new FakeOpenTasks(),
    derived: new TableDerivedProducts(world.tables),
    appBaseUrl: 'https://api.example.gov.cn',
    platforms: [] as const,
    now: () => world.now,
  };
  const n = release.releaseNumber;
  const approve = () => approveRelease(ports, { releaseNumber: n, approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }], requestId: 'approve' });
  return { world, cat, source, pkg, n, files, downloads, ports, approve };
}

const audits = (world: SubmissionWorld, action: string) => world.identity.auditRecords().filter((r) => r.action === action);
const counted = (world: SubmissionWorld, action: string) => audits(world, action).flatMap((r) => (((r.detail as Record<string, unknown> | undefined)?.['supervision'] as { count?: Array<{ metric: string; org: string }> } | undefined)?.count ?? []));

describe('R11.1 R12.1 R17.2 PublishRelease: an approved release version goes public with its files', () => {
  it('refuses a pending release (409 RELEASE_NOT_APPROVED) and changes nothing', async () => {
    // prepare
    const { world, n, ports, files } = await setup();
    const before = world.snapshot();
    // act
    const refused = publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    // assess
    await expect(refused).rejects.toMatchObject({ code: 'RELEASE_NOT_APPROVED', message: expect.stringContaining('待审批') });
    expect(world.snapshot()).toEqual(before);
    expect(files.copies).toEqual([]);
  });

  it('approveRelease: pending → approved, audited and counted (R12.approvals); a second call changes nothing', async () => {
    // prepare
    const { world, cat, n, approve } = await setup();
    // act
    const first = await approve();
    const second = await approve();
    // assess
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect((await cat.store.getEntry(n))?.release).toMatchObject({ state: 'approved', approval: { approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }] } });
    expect(audits(world, 'publication.release.approve')).toHaveLength(1);
    expect(counted(world, 'publication.release.approve')).toEqual([{ org: '440000-NR', metric: 'R12.approvals' }]);
  });

  it('copies every verified file to releases/<n>/, makes the entry 公开 and released (audited, counted R11.published); a retry copies and writes nothing', async () => {
    // prepare
    const { world, cat, pkg, n, ports, files, approve } = await setup();
    await approve();
    // act
    const done = await publishRelease(ports, { releaseNumber: n, requestId: 'p1' });
    const again = await publishRelease(ports, { releaseNumber: n, requestId: 'p2' });
    // assess
    expect(done).toMatchObject({ releaseNumber: n, state: 'released', files: standardFiles.length, copied: standardFiles.length, changed: true });
    expect(again).toMatchObject({ state: 'released', copied: 0, changed: false });
    expect([...files.objects.keys()].sort()).toEqual(standardFiles.map((f) => releaseFileKey(n, f.path)).sort());
    for (const f of standardFiles) expect(world.objects.objects.has(objectKey(pkg, 1, f.path))).toBe(true);
    const entry = (await cat.store.getEntry(n))!;
    expect(entry.classification).toBe('public');
    expect(entry.release).toMatchObject({ state: 'released', releasedAt: world.now.toISOString() });
    expect(entry.release?.files?.map((f) => [f.path, f.size, f.sha256])).toEqual([...standardFiles].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => [f.path, f.size, f.sha256]));
    expect(audits(world, 'publication.release.publish')).toHaveLength(1);
    expect(counted(world, 'publication.release.publish')).toEqual([{ org: '440000-NR', metric: 'R11.published' }]);
  });

  it('an embargo date not reached → 409 RELEASE_EMBARGOED; on the day it publishes', async () => {
    // prepare
    const { world, n, ports } = await setup();
    await approveRelease(ports, { releaseNumber: n, approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }], embargoUntil: '2026-10-08', requestId: 'a' });
    // act
    const early = publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    // assess
    await expect(early).rejects.toMatchObject({ code: 'RELEASE_EMBARGOED', message: expect.stringContaining('2026-10-08') });
    world.setNow('2026-10-07T16:00:00.000Z'); // 00:00 on 8 October in China
    expect((await publishRelease(ports, { releaseNumber: n, requestId: 'p' })).changed).toBe(true);
  });

  it('the public catalogue: STAC assets (href, type, size, file:checksum) and the page\'s download links', async () => {
    // prepare
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    const pending = (await cat.store.getEntry(n))!;
    // act
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const entry = (await cat.store.getEntry(n))!;
    const built = buildPublicCatalogue([entry], { generatedAt: world.now });
    // assess
    expect(JSON.stringify([...buildPublicCatalogue([pending], { generatedAt: world.now }).keys()])).not.toContain(n);
    const item = JSON.parse(built.get(`collections/${entry.theme}/items/${encodeURIComponent(n)}.json`)!.body) as { assets: Record<string, Record<string, unknown>> };
    const f = entry.release!.files![0]!;
    expect(item.assets[f.path]).toEqual({
      href: `../../../downloads/${n}/${f.path.split('/').map(encodeURIComponent).join('/')}`,
      type: f.type,
      title: f.path.split('/').pop(),
      roles: ['data'],
      'file:size': f.size,
      'file:checksum': `1220${f.sha256}`,
    });
    const page = built.get('index.html')!.body;
    expect(page).toContain(`href="downloads/${n}/`);
    expect(page).toContain('<th>获取</th>');
  });
});

describe('R17.2 public downloads: 302 to a short-lived presigned GET, every request logged and counted', () => {
  it('a released file → its presigned URL (5 minutes); the request logged with an anonymised client and counted', async () => {
    // prepare
    const { world, n, ports, downloads, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const path = standardFiles[0]!.path;
    // act
    const out = await requestDownload(ports, { releaseNumber: n, path, ip: '203.0.113.77', userAgent: 'curl/8', requestId: 'd1' });
    // assess
    expect(out.location).toBe(`https://published.test/${encodeURI(releaseFileKey(n, path))}?X-Amz-Expires=300&name=${encodeURIComponent(path.split('/').pop()!)}`);
    expect(downloads.entries).toEqual([
      { releaseNumber: n, path, result: 'redirected', at: world.now.toISOString(), day: '2026-09-21', client: anonymiseClient('203.0.113.5', '2026-09-21'), userAgent: 'curl/8', requestId: 'd1', org: '440000-NR' },
    ]);
    expect(JSON.stringify(downloads.entries)).not.toContain('203.0.113');
  });

  it('not released, unknown file, unknown release → 404, each logged with its result', async () => {
    // prepare
    const { n, ports, downloads, approve } = await setup();
    const path = standardFiles[0]!.path;
    // act + assess
    await expect(requestDownload(ports, { releaseNumber: n, path, requestId: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await approve();
    await expect(requestDownload(ports, { releaseNumber: n, path, requestId: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    await expect(requestDownload(ports, { releaseNumber: n, path: 'data/../secret.gpkg', requestId: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(requestDownload(ports, { releaseNumber: '440000-CUS-2026-DB-999999-R1', path, requestId: 'd' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(downloads.entries.map((e) => e.result)).toEqual(['notReleased', 'notReleased', 'unknownFile', 'unknownRelease']);
  });

  it('a publication for sale (出版物): no download, the ordering information instead (409, logged); the page shows it', async () => {
    // prepare
    const { world, cat, n, ports, downloads, approve } = await setup({ forSale: true });
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    // act
    const refused = requestDownload(ports, { releaseNumber: n, path: standardFiles[0]!.path, requestId: 'd' });
    // assess
    await expect(refused).rejects.toMatchObject({ code: 'PUBLICATION_FOR_SALE', message: expect.stringContaining('广东省地图出版社') });
    expect(downloads.entries.map((e) => e.result)).toEqual(['forSale']);
    const page = buildPublicCatalogue([(await cat.store.getEntry(n))!], { generatedAt: world.now }).get('index.html')!.body;
    expect(page).toContain('请向广东省地图出版社订购');
    expect(page).not.toContain('href="downloads/');
  });

  it('the log adapter writes the log item and the counters per result × day in one transaction (served vs refused)', async () => {
    // prepare
    const sent: unknown[] = [];
    const log = new DynamoDownloadLog('registry', { send: async (c: unknown) => void sent.push(c) } as never);
    const e: DownloadLogEntry = { releaseNumber: 'N-R1', path: 'a.gpkg', result: 'redirected', at: '2026-09-21T02:00:00.000Z', day: '2026-09-21', client: 'abc', userAgent: 'ua', requestId: 'r', org: '440000-NR' };
    // act
    await log.record(e);
    await log.record({ ...e, result: 'withdrawn', org: undefined as never });
    // assess
    const items = (sent[0] as { input: { TransactItems: Array<Record<string, { Key?: unknown; Item?: Record<string, unknown>; ExpressionAttributeNames?: Record<string, string> }>> } }).input.TransactItems;
    expect(items[0]!['Put']!.Item).toMatchObject({ pk: 'DOWNLOADS#N-R1#2026-09-21', result: 'redirected', client: 'abc' });
    expect(items[1]!['Update']!.Key).toEqual({ pk: 'SUPCOUNT#440000-NR', sk: '2026-09' });
    expect(Object.values(items[1]!['Update']!.ExpressionAttributeNames!)).toEqual(expect.arrayContaining(['m:R17.2.downloads', 'm:R17.2.redirected.2026-09-21.N-R1']));
    expect(downloadCounterMetrics({ ...e, result: 'withdrawn' })).toEqual(['R17.2.refused', 'R17.2.withdrawn.2026-09-21.N-R1']);
    expect((sent[1] as { input: { TransactItems: unknown[] } }).input.TransactItems).toHaveLength(1);
  });

  it('through the HTTP stack, no token: 302 with Location; a bad release number → 400 naming the field', async () => {
    // prepare
    const { world, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const h = downloadHandler.with(ports);
    const path = standardFiles[0]!.path;
    // act
    const ok = await call(h, 'GET', `/public/downloads/${n}/${path}`, { pathParameters: { releaseNumber: n, path } });
    const bad = await call(h, 'GET', `/public/downloads/x/${path}`, { pathParameters: { releaseNumber: 'x', path } });
    // assess
    expect(ok.status).toBe(302);
    expect(ok.headers?.['location']).toContain('https://published.test/releases/');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('path.releaseNumber');
  });
});

const decided = (d: 'approve' | 'return', by: string, reasons = ''): WithdrawalDecision => ({ taskId: `t-${by}`, decision: d, reasons, decidedBy: by, decidedAt: '2026-10-09T03:00:00.000Z' });

describe('R11.1 R12.1 R21.1 withdrawal requested and decided by the approving authority (同意撤回 / 不予撤回): files stop being served, the page says 已撤回, the record stays', () => {
  it('陈静 (organiser side) asks; the request alone changes no serving; 刘洋 (the resolved approver) decides 同意撤回 → 404, 已撤回 with the date, counted R11.withdrawn in the same audited write; a retry and a new request change nothing', async () => {
    // prepare
    const { world, cat, n, ports, downloads, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    world.setNow('2026-10-09T03:00:00.000Z');
    // act 1: the request
    const { withdrawal, entry: asked } = await requestWithdrawal(ports, { actor: await world.user('chen.jing'), releaseNumber: n, reason: '发现坐标偏移处理有误，撤回更正', requestId: 'w' });
    const second = requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '再次申请撤回', requestId: 'w2' });
    const stillServed = await requestDownload(ports, { releaseNumber: n, path: standardFiles[0]!.path, requestId: 'd0' });
    // assess 1
    expect(withdrawal).toMatchObject({ id: `${n}-W1`, k: 1, status: 'pending', requestedBy: 'chen.jing', ruleId: 'provincial-default', joint: false, approvals: [{ orgCode: '440000-NR', role: 'publisher' }] });
    expect(asked.release?.state).toBe('released');
    expect(world.workflow.starts.at(-1)).toMatchObject({ stateMachine: 'Withdrawal', name: `${n}-W1`, input: { releaseNumber: n, k: 1, joint: false } });
    await expect(second).rejects.toMatchObject({ code: 'WITHDRAWAL_PENDING' });
    expect(stillServed.location).toContain('https://published.test/');
    expect(audits(world, 'publication.withdrawal.request')).toHaveLength(1);
    // act 2: 同意撤回, then the step retried
    const out = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 1, approver: 0, decision: decided('approve', 'liu.yang'), requestIdOfCall: 'rec' });
    const retry = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 1, approver: 0, decision: decided('approve', 'liu.yang'), requestIdOfCall: 'rec2' });
    // assess 2
    expect(out).toEqual({ next: 'withdrawn' });
    expect(retry).toEqual({ next: 'withdrawn' });
    const entry = (await cat.store.getEntry(n))!;
    expect(entry.release).toMatchObject({ state: 'withdrawn', withdrawal: { by: 'liu.yang', byOrg: '440000-NR', reason: '发现坐标偏移处理有误，撤回更正' } });
    expect(entry.release?.withdrawalRequests?.[0]).toMatchObject({ status: 'approved', approvals: [{ orgCode: '440000-NR', decision: { decision: 'approve', decidedBy: 'liu.yang' } }] });
    expect(entry.release?.files?.length).toBe(standardFiles.length);
    await expect(requestDownload(ports, { releaseNumber: n, path: standardFiles[0]!.path, requestId: 'd' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('撤回') });
    expect(downloads.entries.at(-1)?.result).toBe('withdrawn');
    const built = buildPublicCatalogue([entry], { generatedAt: world.now });
    expect(built.get('index.html')!.body).toContain('已撤回（2026-10-09）');
    expect(built.get('index.html')!.body).not.toContain('href="downloads/');
    const item = JSON.parse([...built.entries()].find(([k]) => k.includes('/items/'))![1].body) as { assets: object; properties: Record<string, unknown> };
    expect(item.assets).toEqual({});
    expect(item.properties['chengguo:status']).toBe('已撤回');
    expect(audits(world, 'publication.release.withdraw')).toHaveLength(1);
    expect(counted(world, 'publication.release.withdraw')).toEqual([{ org: '440000-NR', metric: 'R11.withdrawn' }]);
    expect(ports.mailer.sent.map((m) => m.subject)).toEqual([`撤回申请已同意：${n}`]);
    await expect(requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '再次撤回', requestId: 'w3' })).rejects.toMatchObject({ code: 'ALREADY_WITHDRAWN' });
  });

  it('不予撤回: the requester is emailed the reasons, the release stays served, nothing counted; a later request is the second one', async () => {
    // prepare
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    await requestWithdrawal(ports, { actor: await world.user('zhang.wei'), releaseNumber: n, reason: '保管单位发现文件命名不规范', requestId: 'w' });
    // act
    const out = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 1, approver: 0, decision: decided('return', 'liu.yang', '命名问题不影响使用，无需撤回'), requestIdOfCall: 'rec' });
    const again = await requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '经复核坐标偏移有误，需要撤回', requestId: 'w2' });
    // assess
    expect(out).toEqual({ next: 'refused' });
    const entry = (await cat.store.getEntry(n))!;
    expect(entry.release?.state).toBe('released');
    expect(entry.release?.withdrawalRequests?.[0]).toMatchObject({ status: 'refused', approvals: [{ decision: { decision: 'return', reasons: '命名问题不影响使用，无需撤回' } }] });
    expect((await requestDownload(ports, { releaseNumber: n, path: standardFiles[0]!.path, requestId: 'd' })).location).toContain('https://published.test/');
    expect(ports.mailer.sent).toEqual([expect.objectContaining({ to: ['zhang.wei@example.gov.cn'], subject: `撤回申请不予撤回：${n}`, text: expect.stringContaining('命名问题不影响使用，无需撤回') })]);
    expect(ports.mailer.sent[0]?.text).toContain('不予撤回');
    expect(audits(world, 'publication.withdrawal.refuse')).toHaveLength(1);
    expect(counted(world, 'publication.withdrawal.refuse')).toEqual([]);
    expect(again.withdrawal).toMatchObject({ id: `${n}-W2`, k: 2, status: 'pending' });
  });

  it('R12.2 a joint decision: one agreement waits; the other department\'s 不予撤回 ends it (WithdrawalRefused), closes nothing decided; a refusal first closes the other\'s open task', async () => {
    // prepare: a released version whose withdrawal request names two departments (as the national wetland rule does)
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const jointly = async (k: number) => {
      const before = (await cat.store.getEntry(n))!;
      const list = before.release!.withdrawalRequests!.map((w) => (w.k === k ? { ...w, joint: true, approvals: [{ orgCode: '100000-NR', role: 'publisher' }, { orgCode: '100000-FG', role: 'publisher' }] } : w));
      await cat.store.updateEntry({ ...before, release: { ...before.release!, withdrawalRequests: list }, version: before.version + 1 }, before, { actor: 'test', orgCode: 'x', action: 'test.joint', target: 'x', outcome: 'success', requestId: 'j' });
    };
    await requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '湿地边界需重新处理', requestId: 'w' });
    await jointly(1);
    // act 1: 自然资源部 agrees, 国家林业和草原局 refuses
    const first = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 1, approver: 0, decision: decided('approve', 'zhao.min'), requestIdOfCall: 'a' });
    const second = recordWithdrawalDecision(ports, { releaseNumber: n, k: 1, approver: 1, decision: decided('return', 'wu.jing', '林草部门认为无需撤回'), requestIdOfCall: 'b' });
    // assess 1
    expect(first).toEqual({ next: 'waiting' });
    await expect(second).rejects.toMatchObject({ name: 'WithdrawalRefused' });
    expect((await cat.store.getEntry(n))!.release).toMatchObject({ state: 'released', withdrawalRequests: [{ status: 'refused' }] });
    // act 2: a second request; 国家林业和草原局 refuses first while 自然资源部's task is open
    await requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '湿地边界仍需重新处理', requestId: 'w2' });
    await jointly(2);
    ports.humanTasks.open.push({ id: 'HT-open', kind: 'publicationWithdrawal', subject: { releaseNumber: n, k: 2, approver: 0 }, status: 'open', assignees: ['zhao.min'], assigneeOrg: '100000-NR' } as unknown as HumanTask);
    const refused = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 2, approver: 1, decision: decided('return', 'wu.jing', '林草部门仍认为无需撤回'), requestIdOfCall: 'c' }).catch((e: unknown) => e);
    const late = await recordWithdrawalDecision(ports, { releaseNumber: n, k: 2, approver: 0, decision: decided('approve', 'zhao.min'), requestIdOfCall: 'd' }).catch((e: unknown) => e);
    // assess 2
    expect(refused).toMatchObject({ name: 'WithdrawalRefused' });
    expect(late).toMatchObject({ name: 'WithdrawalRefused' });
    const w2 = (await cat.store.getEntry(n))!.release!.withdrawalRequests![1]!;
    expect(w2.approvals[0]).toMatchObject({ closed: { reason: expect.stringContaining('100000-FG 已决定不予撤回') } });
    expect(w2.approvals[0]?.decision).toBeUndefined();
    expect(ports.humanTasks.expired).toEqual([expect.objectContaining({ id: 'HT-open', audit: expect.objectContaining({ detail: expect.objectContaining({ reason: 'otherDepartmentRefused' }) }) })]);
    expect((await cat.store.getEntry(n))!.release?.state).toBe('released');
  });

  it('others → 403 (the implementer\'s submitter, a requester, an administrator); not yet released → 409; nothing written', async () => {
    // prepare
    const { world, n, ports, approve } = await setup();
    const before = world.snapshot();
    // act + assess
    await expect(requestWithdrawal(ports, { actor: await world.user('liu.yang'), releaseNumber: n, reason: '尚未发布的撤回', requestId: 'w' })).rejects.toMatchObject({ code: 'RELEASE_NOT_RELEASED' });
    expect(world.snapshot()).toEqual(before);
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const released = world.snapshot();
    for (const outsider of ['li.na', 'wang.qiang']) {
      await expect(requestWithdrawal(ports, { actor: await world.user(outsider), releaseNumber: n, reason: '越权撤回', requestId: 'w' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(world.snapshot()).toEqual(released);
    expect(world.workflow.starts.filter((s) => s.stateMachine === 'Withdrawal')).toEqual([]);
  });

  it('through the HTTP stack: 202 for 刘洋 with the pending request, 403 for 李娜, 400 naming body.reason', async () => {
    // prepare
    const { world, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const h = withdrawHandler.with({ ...ports, verifier: portsFor(world).verifier });
    const req = (user: string, body: unknown) => call(h, 'POST', `/publication/releases/${n}/withdrawal`, { user, pathParameters: { releaseNumber: n }, body });
    // act
    const bad = await req('liu.yang', { reason: '' });
    const forbidden = await req('li.na', { reason: '越权撤回一次' });
    const ok = await req('liu.yang', { reason: '撤回更正坐标' });
    // assess
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.reason');
    expect(forbidden.status).toBe(403);
    expect(ok.status).toBe(202);
    expect((ok.body as { entry: CatalogueEntry; withdrawal: { status: string } }).withdrawal.status).toBe('pending');
    expect((ok.body as { entry: CatalogueEntry }).entry.release?.state).toBe('released');
  });

  it('the PublishRelease task handler parses its input (a bad number → ValidationError naming input.releaseNumber)', async () => {
    // prepare
    const { n, ports, approve } = await setup();
    await approve();
    const h = publishHandler.with(ports);
    // act
    const bad = await h({ releaseNumber: 'nope' }, { awsRequestId: 'x' } as never).catch((e: unknown) => e);
    const ok = await h({ releaseNumber: n, execution: 'arn:exec' }, { awsRequestId: 'y' } as never);
    // assess
    expect(bad).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('input.releaseNumber') });
    expect(ok).toMatchObject({ releaseNumber: n, state: 'released', changed: true });
  });
});

describe('R17.2 R21.1 download counters are not in the audit trail: the counter rebuild neither reports nor erases them', () => {
  it('rebuildCounters with write keeps the stored R17.2 metrics and repairs only the audited ones', async () => {
    // prepare: one audited publication (R11.published 1); stored: R11.published 0 and 5 downloads
    const record = { seq: 1, detail: { supervision: { at: '2026-09-21T02:00:00.000Z', count: [{ org: '440000-NR', metric: 'R11.published' }] } } };
    const chain = { readHead: async () => undefined, readRecords: async (after?: number) => (after === undefined ? { records: [record as never], lastSeq: 1 } : { records: [] }) };
    const stored = new Map<string, Map<string, number>>([['440000-NR 2026-09', new Map([['R17.2.downloads', 5], ['R17.2.redirected.2026-09-21.N-R1', 5]])]]);
    const counters = {
      read: async (org: string, month: string) => stored.get(`${org} ${month}`),
      set: async (org: string, month: string, values: Map<string, number>) => void stored.set(`${org} ${month}`, values),
    };
    // act
    const out = await rebuildCounters({ chain, counters }, { write: true, requestId: 'r' });
    // assess
    expect(out.differences).toEqual([{ org: '440000-NR', month: '2026-09', metric: 'R11.published', rebuilt: 1, stored: 0 }]);
    expect(Object.fromEntries(stored.get('440000-NR 2026-09')!)).toEqual({ 'R11.published': 1, 'R17.2.downloads': 5, 'R17.2.redirected.2026-09-21.N-R1': 5 });
  });
});

describe('R14.2 a release is announced to the external public platforms (PUBLIC_PLATFORMS)', () => {
  const platforms = [
    { name: '广东省政务数据开放平台', email: 'opendata@gd.example.gov.cn' },
    { name: '全国地理信息资源目录服务系统', email: 'catalog@national.example.gov.cn' },
  ];

  it('each platform gets one Chinese mail with the public page and data.json, recorded on the release (platform, at, message id) and audited; a retry sends nothing', async () => {
    // prepare
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const mailer = new FakeMailer();
    const announcePorts = { catalogue: cat.store, mailer, platforms, appBaseUrl: 'https://api.example.gov.cn/', now: () => world.now };
    // act
    const first = await announceRelease(announcePorts, { releaseNumber: n, requestId: 'a1' });
    const retry = await announceRelease(announcePorts, { releaseNumber: n, requestId: 'a2' });
    // assess
    expect(first).toEqual({ announced: 2, total: 2 });
    expect(retry).toEqual({ announced: 0, total: 2 });
    expect(mailer.sent.map((m) => m.to)).toEqual([['opendata@gd.example.gov.cn'], ['catalog@national.example.gov.cn']]);
    const entry = (await cat.store.getEntry(n))!;
    const links = releaseLinks(entry, 'https://api.example.gov.cn');
    expect(links.feed).toBe('https://api.example.gov.cn/public/data.json');
    expect(links.page).toBe(`https://api.example.gov.cn/public/collections/${entry.theme}/items/${encodeURIComponent(n)}.json`);
    const mail = mailer.sent[0]!;
    expect(mail.subject).toContain('成果发布公告');
    expect(mail.subject).toContain(n);
    expect(mail.text).toContain('广东省政务数据开放平台：');
    expect(mail.text).toContain(`公开页面：${links.page}`);
    expect(mail.text).toContain(`数据目录（DCAT data.json，可定期采集）：${links.feed}`);
    expect(entry.release?.announcements).toEqual([
      { platform: '广东省政务数据开放平台', email: 'opendata@gd.example.gov.cn', at: world.now.toISOString(), messageId: '1' },
      { platform: '全国地理信息资源目录服务系统', email: 'catalog@national.example.gov.cn', at: world.now.toISOString(), messageId: '2' },
    ]);
    const recorded = audits(world, 'publication.release.announce');
    expect(recorded.map((r) => (r.detail as { platform: string }).platform)).toEqual(['广东省政务数据开放平台', '全国地理信息资源目录服务系统']);
  });

  it('a platform added later is announced on the next run, the others are not mailed again; the mail is built from the release alone (a retry after a lost record hands over the identical message, which SendMail de-duplicates)', async () => {
    // prepare
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    const one = new FakeMailer();
    await announceRelease({ catalogue: cat.store, mailer: one, platforms: platforms.slice(0, 1), appBaseUrl: 'https://api.example.gov.cn', now: () => world.now }, { releaseNumber: n, requestId: 'a1' });
    world.setNow('2026-11-01T02:00:00.000Z');
    const two = new FakeMailer();
    // act
    const later = await announceRelease({ catalogue: cat.store, mailer: two, platforms, appBaseUrl: 'https://api.example.gov.cn', now: () => world.now }, { releaseNumber: n, requestId: 'a2' });
    // assess
    expect(later).toEqual({ announced: 1, total: 2 });
    expect(two.sent.map((m) => m.to[0])).toEqual(['catalog@national.example.gov.cn']);
    const entry = (await cat.store.getEntry(n))!;
    expect(entry.release?.announcements?.map((a) => [a.platform, a.at])).toEqual([['广东省政务数据开放平台', expect.any(String)], ['全国地理信息资源目录服务系统', '2026-11-01T02:00:00.000Z']]);
    // the same platform's message does not depend on the clock: the first one, built again now, is identical
    const { announcementMessage } = await import('#shared/publication/announce.ts');
    expect(announcementMessage(entry as Parameters<typeof announcementMessage>[0], platforms[0]!, 'https://api.example.gov.cn')).toEqual(one.sent[0]);
  });

  it('a release not yet released is not announced (409 RELEASE_NOT_RELEASED), nothing mailed; no platforms configured → nothing to do', async () => {
    // prepare
    const { world, cat, n, ports, approve } = await setup();
    await approve();
    const mailer = new FakeMailer();
    // act
    const refused = announceRelease({ catalogue: cat.store, mailer, platforms, appBaseUrl: 'https://api.example.gov.cn', now: () => world.now }, { releaseNumber: n, requestId: 'a' });
    // assess
    await expect(refused).rejects.toMatchObject({ code: 'RELEASE_NOT_RELEASED' });
    expect(mailer.sent).toEqual([]);
    await publishRelease(ports, { releaseNumber: n, requestId: 'p' });
    expect(await announceRelease({ catalogue: cat.store, mailer, platforms: [], appBaseUrl: 'https://api.example.gov.cn', now: () => world.now }, { releaseNumber: n, requestId: 'a' })).toEqual({ announced: 0, total: 0 });
    expect(mailer.sent).toEqual([]);
  });

  it('PublishRelease announces as its last act and reports it; its retry announces nothing more', async () => {
    // prepare
    const { n, ports, approve } = await setup();
    await approve();
    const mailer = new FakeMailer();
    const h = publishHandler.with({ ...ports, mailer, platforms });
    // act
    const first = await h({ releaseNumber: n }, { awsRequestId: 'x' } as never);
    const again = await h({ releaseNumber: n }, { awsRequestId: 'y' } as never);
    // assess
    expect(first).toMatchObject({ changed: true, announced: 2, announcedTotal: 2 });
    expect(again).toMatchObject({ changed: false, announced: 0, announcedTotal: 2 });
    expect(mailer.sent).toHaveLength(2);
  });

  it('PUBLIC_PLATFORMS: absent or empty → none; malformed JSON, a bad address or a repeated name → an error naming the variable', () => {
    expect(parsePublicPlatforms(undefined)).toEqual([]);
    expect(parsePublicPlatforms(' ')).toEqual([]);
    expect(parsePublicPlatforms(JSON.stringify(platforms))).toEqual(platforms);
    expect(() => parsePublicPlatforms('[{')).toThrow(/PUBLIC_PLATFORMS/);
    expect(() => parsePublicPlatforms(JSON.stringify([{ name: '平台', email: 'not-an-address' }]))).toThrow(/PUBLIC_PLATFORMS.*email/);
    expect(() => parsePublicPlatforms(JSON.stringify([platforms[0], platforms[0]]))).toThrow(/重复/);
  });
});
