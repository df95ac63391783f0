import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { chinaDate } from '#shared/calendar/dates.ts';
import { localPublicPlatforms } from '#infra/local/cloud.ts';
import { approvedAndPublished, download, registeredRelease, releasePorts } from './fixture-release.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { registeredTask, taskIdIn, tokenOf, verifiedResult } from './fixture-submission.ts';
import { api, auditHeadSeq, auditRecordsSince, cloud, eventually, getItem, itemsWithPrefix, waitForEmail } from './helpers.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('R11.1 R12.1 R14.2 R17.2 R21.1 release, announcement to the public platforms, public download and withdrawal on the local cloud', () => {
  it('PublishRelease copies the package into the published bucket; the download is a 302 to S3 (SHA-256 intact, Range works), logged and counted; the public catalogue gets assets and links; withdrawal asked, refused (不予撤回, the requester emailed), asked again and agreed (同意撤回) through the emailed task → 404 and 已撤回', async () => {
    // prepare: an 内部 source and its verified 公开 package, registered as a release
    const tag = randomBytes(3).toString('hex');
    const taskId = await registeredTask();
    const sourceSubmission = await verifiedResult({ name: `广东省地表覆盖监测成果 ${tag}`, classification: 'internal', taskId });
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
    expect(source.status).toBe(201);
    const pkg = await verifiedResult({ name: `广东省地表覆盖监测成果（公开版）${tag}`, classification: 'public', taskId });
    const n = await registeredRelease(source.body.entry.resultNumber as string, pkg);
    const mark = await auditHeadSeq();
    const announcedSince = new Date();

    // act 1: refused while pending, then approved and published (twice: the retry changes nothing)
    const early = await download(n, 'maps/overview.tif');
    const pendingPublish = await import('#functions/publication/publish-release.ts').then((m) => m.handler.with(releasePorts())({ releaseNumber: n }, { awsRequestId: 'early' } as never)).catch((e: unknown) => e);
    const published = await approvedAndPublished(n);
    const again = await approvedAndPublished(n);

    // assess 1
    expect(early.status).toBe(404);
    expect(pendingPublish).toMatchObject({ code: 'RELEASE_NOT_APPROVED' });
    expect(published).toMatchObject({ releaseNumber: n, state: 'released', files: 9, copied: 9, changed: true, announced: 1, announcedTotal: 1 });
    expect(again).toMatchObject({ copied: 0, changed: false, announced: 0, announcedTotal: 1 });
    const actions = (await auditRecordsSince(mark)).map((r) => r['action']);
    expect(actions.filter((a) => a === 'publication.release.approve')).toHaveLength(1);
    expect(actions.filter((a) => a === 'publication.release.publish')).toHaveLength(1);
    const entry = (await api('GET', `/catalogue/${n}`, { token: await tokenOf('luo.xin') })).body.entry;
    expect(entry).toMatchObject({ classification: 'public', release: { state: 'released' } });
    // R14.2: the demo platform's announcement, through SendMail into MailDev, recorded on the release, once
    const platform = localPublicPlatforms[0];
    const announcement = await waitForEmail({ to: platform.email, subject: `【成果发布公告】${entry.name as string}（${n}）`, since: announcedSince, timeoutMs: 60_000 });
    expect(announcement.text).toContain(`公开页面：${cloud.urls.api}/public/collections/${entry.theme as string}/items/${encodeURIComponent(n)}.json`);
    expect(announcement.text).toContain(`${cloud.urls.api}/public/data.json`);
    expect(entry.release.announcements).toEqual([{ platform: platform.name, email: platform.email, at: expect.any(String), messageId: expect.stringMatching(/.+/) }]);
    expect(actions.filter((a) => a === 'publication.release.announce')).toHaveLength(1);

    // act 2: a public download (no token) and a Range request on the URL it redirects to
    const original = await readFile(fixturePath('./valid/maps/overview.tif'));
    const res = await download(n, 'maps/overview.tif');
    const location = res.headers.get('location') ?? '';
    const body = new Uint8Array(await (await fetch(location)).arrayBuffer());
    const ranged = await fetch(location, { headers: { range: 'bytes=8-99' } });
    const part = new Uint8Array(await ranged.arrayBuffer());

    // assess 2: the bytes come from S3 (the URL is the S3 endpoint's, presigned), not from the API
    expect(res.status).toBe(302);
    expect(location.startsWith(`${cloud.urls.s3}/`)).toBe(true);
    expect(location).toContain('X-Amz-Signature=');
    expect(location).toContain('X-Amz-Expires=300');
    expect(sha256(body)).toBe(sha256(original));
    expect(ranged.status).toBe(206);
    expect(Buffer.from(part).equals(original.subarray(8, 100))).toBe(true);
    const unknownFile = await download(n, 'maps/none.tif');
    expect(unknownFile.status).toBe(404);
    const day = chinaDate(new Date());
    const logged = await itemsWithPrefix(`DOWNLOADS#${n}#${day}`);
    expect(logged.map((l) => l['result']).sort()).toEqual(['notReleased', 'redirected', 'unknownFile']);
    expect(logged.find((l) => l['result'] === 'redirected')).toMatchObject({ path: 'maps/overview.tif', userAgent: 'chengguo-integration/1.0', client: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(JSON.stringify(logged)).not.toContain('127.0.0.1');
    const counters = await getItem({ pk: 'SUPCOUNT#440000-NR', sk: day.slice(0, 7) });
    expect(counters?.[`m:R17.2.redirected.${day}.${n}`]).toBe(1);
    expect(counters?.[`m:R17.2.unknownFile.${day}.${n}`]).toBe(1);
    expect(counters?.['m:R11.published']).toBeGreaterThanOrEqual(1);

    // assess 3: the public catalogue (through the change stream): STAC assets with checksums, the page's link
    const theme = entry.theme as string;
    const item = await eventually(async () => {
      const r = await fetch(`${cloud.urls.api}/public/collections/${theme}/items/${encodeURIComponent(n)}.json`);
      return r.status === 200 ? ((await r.json()) as { assets: Record<string, { href: string; 'file:checksum': string; 'file:size': number }> }) : undefined;
    }, 'the released item in the public catalogue', 30_000);
    expect(item.assets['maps/overview.tif']).toMatchObject({ href: `../../../downloads/${n}/maps/overview.tif`, 'file:size': original.length, 'file:checksum': `1220${sha256(original)}` });
    // The page is written after the items (the run's last files), and an overlapping older run may write it
    // once more without the release: the next run restores it, so the link is awaited, not read once.
    const link = `href="downloads/${n}/maps/overview.tif"`;
    const page = await eventually(async () => {
      const text = await (await fetch(`${cloud.urls.api}/public/`)).text();
      return text.includes(link) ? text : undefined;
    }, 'the download link on the public page', 30_000);
    expect(page).toContain(link);

    // act 4: 申请撤回 — 李娜 (implementer) refused; 陈静 (organiser's reviewer) asks; 刘洋 (the resolved approver) gets the emailed task
    const li = await api('POST', `/publication/releases/${n}/withdrawal`, { token: await tokenOf('li.na'), body: { reason: '越权撤回测试' } });
    const since1 = new Date();
    const asked = await api('POST', `/publication/releases/${n}/withdrawal`, { token: await tokenOf('chen.jing'), body: { reason: '坐标偏移处理有误，撤回更正' } });
    const pending = await api('POST', `/publication/releases/${n}/withdrawal`, { token: await tokenOf('liu.yang'), body: { reason: '坐标偏移处理有误，撤回更正' } });
    const task1 = await waitForEmail({ to: 'liu.yang@example.gov.cn', subject: `撤回审批：${entry.name as string}（${n}）`, since: since1, timeoutMs: 60_000 });
    const outsider = await api('POST', `/human-tasks/${taskIdIn(task1)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
    const page1 = await api('GET', `/human-tasks/${taskIdIn(task1)}`, { token: await tokenOf('liu.yang') });
    const refused = await api('POST', `/human-tasks/${taskIdIn(task1)}/decision`, { token: await tokenOf('liu.yang'), body: { decision: 'return', reasons: '偏移误差在允许范围内，不予撤回' } });
    const refusalMail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `撤回申请不予撤回：${n}`, since: since1, timeoutMs: 60_000 });

    // assess 4: the request is a human task of the approver; 不予撤回 → the requester is told why, the file is still served
    expect(li.status).toBe(403);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.withdrawal).toMatchObject({ id: `${n}-W1`, status: 'pending', requestedBy: 'chen.jing', approvals: [{ orgCode: '440000-NR' }] });
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('WITHDRAWAL_PENDING');
    expect(outsider.status).toBe(403);
    expect(page1.body.summary).toMatchObject({ kind: 'publicationWithdrawal', words: { approve: '同意撤回', ret: '不予撤回' }, withdrawal: { reason: '坐标偏移处理有误，撤回更正' } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refusalMail.text).toContain('偏移误差在允许范围内，不予撤回');
    await eventually(async () => ((await api('GET', `/catalogue/${n}`, { token: await tokenOf('luo.xin') })).body.entry.release.withdrawalRequests?.[0]?.status === 'refused' ? true : undefined), 'the refusal recorded', 30_000);
    expect((await download(n, 'maps/overview.tif')).status).toBe(302);

    // act 5: 刘洋 asks again and decides 同意撤回 on the new task; a second decision → 409
    await new Promise((r) => setTimeout(r, 1100)); // the inbox's times are whole seconds: the first task's email is before `since2`
    const since2 = new Date();
    const askedAgain = await api('POST', `/publication/releases/${n}/withdrawal`, { token: await tokenOf('liu.yang'), body: { reason: '复核后确认坐标偏移处理有误，撤回更正' } });
    const task2 = await waitForEmail({ to: 'liu.yang@example.gov.cn', subject: `撤回审批：${entry.name as string}（${n}）`, since: since2, timeoutMs: 60_000 });
    const agreed = await api('POST', `/human-tasks/${taskIdIn(task2)}/decision`, { token: await tokenOf('liu.yang'), body: { decision: 'approve', reasons: '' } });
    const twice = await api('POST', `/human-tasks/${taskIdIn(task2)}/decision`, { token: await tokenOf('liu.yang'), body: { decision: 'approve', reasons: '' } });

    // assess 5: withdrawn — 404 on download, 已撤回 on the public page, counted, the record kept
    expect(askedAgain.status).toBe(202);
    expect(askedAgain.body.withdrawal).toMatchObject({ id: `${n}-W2`, k: 2 });
    expect(agreed.status).toBe(200);
    expect(twice.status).toBe(409);
    const withdrawn = await eventually(async () => {
      const e = (await api('GET', `/catalogue/${n}`, { token: await tokenOf('luo.xin') })).body.entry;
      return e.release.state === 'withdrawn' ? e : undefined;
    }, 'the release withdrawn', 30_000);
    expect(withdrawn.release).toMatchObject({ withdrawal: { by: 'liu.yang', reason: '复核后确认坐标偏移处理有误，撤回更正' }, withdrawalRequests: [{ status: 'refused' }, { status: 'approved' }] });
    const gone = await download(n, 'maps/overview.tif');
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toContain('撤回');
    await eventually(async () => ((await (await fetch(`${cloud.urls.api}/public/`)).text()).includes(`已撤回（${day}）`) ? true : undefined), 'the page says 已撤回', 30_000);
    const actions2 = (await auditRecordsSince(mark)).map((r) => r['action']);
    expect(actions2.filter((a) => a === 'publication.release.withdraw')).toHaveLength(1);
    expect(actions2).toContain('publication.withdrawal.refuse');
    const counters2 = await getItem({ pk: 'SUPCOUNT#440000-NR', sk: day.slice(0, 7) });
    expect(counters2?.['m:R11.withdrawn']).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
