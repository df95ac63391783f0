import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { grantedToLuoXin, orderedToCorrect, responsibilityFinding, reviewed, timelineHas, transferred, verificationTask } from '../integration/fixture-correction.ts';
import { submit, tokenOf } from '../integration/fixture-submission.ts';
import { api, cloud, waitForEmail } from '../integration/helpers.ts';
import { hashFile, memoryOf, runCli, sparseTiff, timer } from './cli-run.ts';

/**
 * The R19.3 correction with a realistic package (`npm run test:big`): a 公开 result (the `valid` fixture)
 * in custody with a grant to 罗欣; her 重大 problem is confirmed by the custodian and verified 属实 by the
 * organiser through the emailed task; the implementer submits the correction with the CLI
 * (`chengguo upload <dir> --submission <id> --correction`) — the fixture plus a sparse GeoTIFF of
 * 2.25 GiB (CHENGGUO_CORRECTION_FILE_MIB) — which is verified, reviewed and transferred as version 2:
 * every custody object of v2 is streamed back and its SHA-256 compared with the bytes on disk, v1's copy
 * is kept, the catalogue entry's current version is 2, the problem is fixed and 罗欣 is emailed.
 */

const MiB = 1024 * 1024;
const bigBytes = Number(process.env['CHENGGUO_CORRECTION_FILE_MIB'] ?? 2304) * MiB;
const timings: Record<string, number> = {};
let dir: string;
let configDir: string;
let bigSha256 = '';

const timed = timer(timings);

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'chengguo-correction-config-'));
  dir = mkdtempSync(join(tmpdir(), 'chengguo-correction-package-'));
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  const tiff = readFileSync(fixturePath('./valid/maps/overview.tif'));
  bigSha256 = await timed('generate', () => sparseTiff(join(dir, 'maps/dom-corrected.tif'), bigBytes, tiff));
}, 10 * 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
  const report = { correctionFileBytes: bigBytes, timingsMs: timings, cloudPeakRssBytes: memoryOf(cloud.pid).hwm };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-correction.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`correction version: ${JSON.stringify(report)}`);
});

describe('issue-17 R19.3 R19.2 a correction version of several GiB through the CLI, verification and transfer on the local cloud', () => {
  it('report → confirm → verify → `chengguo upload --correction` (2.25 GiB file) → v2 verified and in custody with every SHA-256 intact, v1 kept, the entry at v2, 罗欣 emailed', async () => {
    // prepare: v1 in custody, 罗欣 granted, her 重大 problem confirmed and verified 属实 (the order to correct)
    const { submissionId, name, since } = await submit('valid', { classification: 'public' });
    await reviewed(submissionId, name, 1, since);
    await transferred(submissionId, name, 1);
    const resultNumber = String((await timelineHas(submissionId, 'numberAssigned', 1)).detail?.['resultNumber']);
    const grantedAt = new Date();
    await grantedToLuoXin(resultNumber);
    const reported = await api('POST', '/feedback/problems', {
      token: await tokenOf('luo.xin'),
      body: { resultNumber, file: 'maps/overview.tif', location: { bbox: [113.2, 23.0, 113.4, 23.2] }, description: '影像镶嵌线处地物错位', severity: '重大' },
    });
    expect(reported.status).toBe(201);
    const problemId = String(reported.body.problem.problemId);
    expect((await api('POST', `/feedback/problems/${problemId}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'confirm', reasons: '核查属实' } })).status).toBe(200);
    const verifyTask = await verificationTask(resultNumber, problemId, grantedAt);
    expect((await api('POST', `/human-tasks/${verifyTask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '经核实属实', conditions: { finding: responsibilityFinding } } })).status).toBe(200);
    await orderedToCorrect(resultNumber, problemId);

    // act: the implementer's correction, v2, with the CLI, then review and transfer as every version
    const v2since = new Date();
    const cli = await timed('cli-upload-and-checks', async () => runCli(configDir, ['upload', dir, '--submission', submissionId, '--correction', '--parallel', '4'], await tokenOf('li.na'), {}, 40 * 60_000));
    await timed('review', () => reviewed(submissionId, name, 2, v2since, 20 * 60_000));
    await timed('transfer-copy-and-receipt', () => transferred(submissionId, name, 2, 20 * 60_000));
    await timelineHas(submissionId, 'correctionRecorded', 2, 120_000);
    const entry = await api('GET', `/catalogue/${resultNumber}`, { token: await tokenOf('zhang.wei') });
    const problems = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('luo.xin') });
    const told = await waitForEmail({ to: 'luo.xin@example.gov.cn', subject: `【成果更正】成果 ${resultNumber} 已有更正版本（第 2 版）`, since: v2since, timeoutMs: 60_000 });

    // assess: the CLI said it opened the correction; v2's custody copy equals the bytes on disk
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`已提交更正版本：汇交 ${submissionId} 第 2 版`);
    expect(entry.body.entry).toMatchObject({ packageVersion: 2, packageVersions: [{ n: 1 }, { n: 2, correctionOf: [problemId] }] });
    expect(entry.body.entry.qualityStatus).toBeUndefined();
    expect(problems.body.problems[0]).toMatchObject({ problemId, state: 'fixed', fixed: { n: 2, notified: ['luo.xin@example.gov.cn'] } });
    expect(told.text).toContain('原版本仍予保留');
    expect((await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, 1)}`)).status).toBe(200);
    const manifest = (await (await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, 2)}`)).json()) as { files: Array<{ path: string; key: string; size: number; sha256: string }> };
    expect(manifest.files.find((f) => f.path === 'maps/dom-corrected.tif')).toMatchObject({ size: bigBytes, sha256: bigSha256 });
    await timed('custody-readback', async () => {
      for (const f of manifest.files) {
        const res = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${f.key.split('/').map(encodeURIComponent).join('/')}`);
        expect(res.status, f.key).toBe(200);
        const hash = createHash('sha256');
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
        expect(hash.digest('hex'), f.path).toBe(f.path === 'maps/dom-corrected.tif' ? bigSha256 : await hashFile(join(dir, f.path)));
      }
    });
  }, 60 * 60_000);
});
