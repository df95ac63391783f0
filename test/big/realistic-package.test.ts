import { createHash, randomFillSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { uploadPlan } from '#shared/submission/upload-plan.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { catalogue, registeredTask, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { api, cloud, eventually, waitForEmail } from '../integration/helpers.ts';
import { hashFile, memoryOf, runCli, sparseTiff, timer } from './cli-run.ts';

/**
 * A realistic package on the local cloud, end to end (`npm run test:big`,
 * not part of `npm test`: ~10 min on 2 cores). Files of 0 B, 50 MiB and
 * 4.25 GiB (CHENGGUO_BIG_FILE_MIB), generated here (random 50 MiB; the big
 * one sparse with random blocks), go to the CLI: the empty file is refused
 * before anything is opened (EMPTY_FILES — the product accepts no empty
 * file, R7.1); without it the package is uploaded, the CLI SIGKILLed
 * mid-upload and run again; checks, review, transfer and receipt follow,
 * and every custody object is streamed back and its SHA-256 compared with
 * the bytes generated. The local cloud's peak RSS (VmHWM of the process that
 * runs the S3 emulator) is reported and bounded.
 */

const MiB = 1024 * 1024;
const bigBytes = Number(process.env['CHENGGUO_BIG_FILE_MIB'] ?? 4352) * MiB;
/** The cloud holds no object in memory: its peak stays far below the big file. */
const rssLimit = 1024 * MiB;

const timings: Record<string, number> = {};
const notes: Record<string, unknown> = {};
let dir: string;
let configDir: string;
const sha256: Record<string, string> = {};

const timed = timer(timings);

/** A GeoTIFF of `size`: the fixture's real header and image, then random bytes; returns its SHA-256. */
function randomTiff(path: string, size: number, head: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  hash.update(head);
  const chunk = Buffer.alloc(8 * MiB);
  for (let at = head.length; at < size; at += chunk.length) {
    const n = Math.min(chunk.length, size - at);
    randomFillSync(chunk, 0, n);
    writeSync(fd, chunk, 0, n);
    hash.update(chunk.subarray(0, n));
  }
  closeSync(fd);
  return hash.digest('hex');
}

const cli = (args: string[], token: string, env: Record<string, string> = {}) => runCli(configDir, args, token, env, 20 * 60_000);

let peakDuringRun = 0;
let sampler: NodeJS.Timeout | undefined;

beforeAll(async () => {
  sampler = setInterval(() => {
    peakDuringRun = Math.max(peakDuringRun, memoryOf(cloud.pid).rss);
  }, 500);
  configDir = mkdtempSync(join(tmpdir(), 'chengguo-big-config-'));
  dir = mkdtempSync(join(tmpdir(), 'chengguo-big-package-'));
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  const tiff = readFileSync(fixturePath('./valid/maps/overview.tif'));
  await timed('generate', async () => {
    writeFileSync(join(dir, 'report/notes-empty.txt'), '');
    sha256['maps/dom-50m.tif'] = randomTiff(join(dir, 'maps/dom-50m.tif'), 50 * MiB, tiff);
    sha256['maps/dom-big.tif'] = await sparseTiff(join(dir, 'maps/dom-big.tif'), bigBytes, tiff);
  });
}, 10 * 60_000);

afterAll(() => {
  if (sampler) clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
  const report = { bigFileBytes: bigBytes, timingsMs: timings, cloudPeakRssBytes: memoryOf(cloud.pid).hwm, cloudPeakRssSampledBytes: peakDuringRun, ...notes };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-package.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`realistic package: ${JSON.stringify(report)}`);
});

describe('issue-8 R6.1 R7.1 R8.1 R10.1 a realistic package (0 B, 50 MiB, > 4 GiB) on the local cloud', () => {
  it('uploads through the CLI across a SIGKILL, is verified, reviewed, transferred and received, with every SHA-256 intact in custody and the cloud’s memory bounded', async () => {
    // prepare
    const token = await tokenOf('li.na');
    const taskId = await registeredTask();
    const name = `大文件成果包 ${Date.now()}`;
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue(name)));
    const since = new Date();

    // act 0: the 0 B file — the product accepts no empty file (R7.1): the CLI refuses before anything is opened or sent
    const refused = await cli(['upload', dir, '--task', taskId, '--parallel', '4', '--no-follow'], token);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('EMPTY_FILES');
    expect(refused.stderr).toContain('report/notes-empty.txt');
    rmSync(join(dir, 'report/notes-empty.txt'));

    // act 1: killed after ~37 % of the big file's parts, then resumed
    const plan = uploadPlan(bigBytes);
    const killAfter = plan.kind === 'multipart' ? Math.max(2, Math.floor(plan.partCount * 0.37)) : 1;
    notes['killAfterParts'] = killAfter;
    const killed = await timed('upload-until-kill', () =>
      cli(['upload', dir, '--task', taskId, '--parallel', '4', '--no-follow'], token, { CHENGGUO_TEST_STOP_AFTER_PARTS: String(killAfter) }),
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const state = JSON.parse(readFileSync(join(dir, '.chengguo-upload.json'), 'utf8')) as { submissionId: string };
    const submissionId = state.submissionId;
    const between = await api('GET', `/submissions/${submissionId}/versions/1/uploads`, { token });
    const bigBetween = (between.body.files as Array<{ path: string; status: string; partsKnown?: boolean; partsArrived?: unknown[] }>).find((f) => f.path === 'maps/dom-big.tif');
    expect(bigBetween).toMatchObject({ status: 'partial', partsKnown: true });
    notes['partsArrivedAtKill'] = bigBetween?.partsArrived?.length;
    const resumed = await timed('upload-resume-and-checks', () => cli(['upload', dir, '--parallel', '4'], token));

    // assess 1: the resume line names only confirmed bytes; the checks pass and the version waits for review
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    notes['resumeLine'] = /续传：.*/.exec(resumed.stdout)?.[0];
    expect(resumed.stdout).toMatch(/续传：已上传 \d+ 个文件/);
    expect(resumed.stdout).not.toMatch(/对象存储无法确认/);
    const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 120_000 });
    await versionStatus(submissionId, 1, ['awaitingReview'], 120_000);
    expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    await versionStatus(submissionId, 1, ['verified'], 120_000);

    // act 3: transfer and receipt
    const transferSince = new Date();
    await timed('transfer-copy', async () => {
      expect((await api('POST', `/submissions/${submissionId}/transfer`, { token: await tokenOf('chen.jing') })).status).toBe(202);
      await eventually(
        async () => {
          const t = await api('GET', `/submissions/${submissionId}/timeline`, { token: await tokenOf('chen.jing') });
          const types = (t.body.entries as Array<{ type: string }>).map((e) => e.type);
          if (types.includes('transferFailed')) throw new Error('transfer failed');
          return types.includes('custodyCopied') ? true : undefined;
        },
        'custodyCopied',
        10 * 60_000,
      );
    });
    const receipt = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since: transferSince, timeoutMs: 120_000 });
    expect((await api('POST', `/human-tasks/${taskIdIn(receipt)}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'approve' } })).status).toBe(200);
    const received = await eventually(
      async () => {
        const t = await api('GET', `/submissions/${submissionId}/timeline`, { token: await tokenOf('chen.jing') });
        return (t.body.entries as Array<{ type: string; detail?: Record<string, unknown> }>).find((e) => e.type === 'custodyReceived');
      },
      'custodyReceived',
      120_000,
    );
    const resultNumber = String(received.detail?.['resultNumber']);

    // assess: every custody object streamed back equals the bytes generated / on disk
    const manifestRes = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, 1)}`);
    expect(manifestRes.status).toBe(200);
    const manifest = (await manifestRes.json()) as { files: Array<{ path: string; key: string; size: number; sha256: string }> };
    const expected: Record<string, string> = { ...sha256 };
    for (const f of manifest.files) if (!(f.path in expected)) expected[f.path] = await hashFile(join(dir, f.path));
    await timed('custody-readback', async () => {
      for (const bucket of ['custody', 'backup'] as const) {
        for (const f of manifest.files) {
          const res = await fetch(`${cloud.urls.s3}/${localBucketName(bucket)}/${f.key.split('/').map(encodeURIComponent).join('/')}`);
          expect(res.status, `${bucket} ${f.key}`).toBe(200);
          const hash = createHash('sha256');
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
          expect(hash.digest('hex'), `${bucket} ${f.path}`).toBe(expected[f.path]);
          expect(f.sha256).toBe(expected[f.path]);
        }
      }
    });
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['maps/dom-50m.tif', 'maps/dom-big.tif']));
    expect(manifest.files.find((f) => f.path === 'maps/dom-big.tif')?.size).toBe(bigBytes);
    const peak = memoryOf(cloud.pid).hwm;
    expect(peak).toBeLessThan(rssLimit);
  }, 60 * 60_000);
});
