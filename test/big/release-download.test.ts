import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { approvedAndPublished, download, registeredRelease } from '../integration/fixture-release.ts';
import { catalogue, registeredTask, taskIdIn, tokenOf, verifiedResult, versionStatus } from '../integration/fixture-submission.ts';
import { api, cloud, waitForEmail } from '../integration/helpers.ts';
import { memoryOf, runCli, sparseTiff, timer } from './cli-run.ts';

/**
 * A multi-GB released file downloaded through the public 302 on the local cloud (`npm run test:big`, R17.2):
 * a sparse GeoTIFF of 2.5 GiB (CHENGGUO_RELEASE_FILE_MIB) in a release package uploaded with the CLI, verified
 * and reviewed, registered as a release, approved (approveRelease) and published by the PublishRelease handler
 * (server-side copy into the published bucket), then fetched from the presigned URL the download route
 * redirects to and its SHA-256 compared with the generated file's. The API process never holds the bytes:
 * the download goes to the S3 endpoint; the cloud's peak RSS is reported.
 */

const MiB = 1024 * 1024;
const bigBytes = Number(process.env['CHENGGUO_RELEASE_FILE_MIB'] ?? 2560) * MiB;
const timings: Record<string, number> = {};
let dir: string;
let configDir: string;
let sha256 = '';

const timed = timer(timings);

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'chengguo-release-config-'));
  dir = mkdtempSync(join(tmpdir(), 'chengguo-release-package-'));
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  sha256 = await timed('generate', () => sparseTiff(join(dir, 'maps/dom-release.tif'), bigBytes, readFileSync(fixturePath('./valid/maps/overview.tif'))));
}, 10 * 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
  const report = { bytes: bigBytes, timingsMs: timings, downloadMiBPerSecond: Math.round(bigBytes / MiB / ((timings['download'] ?? 1) / 1000)), cloudPeakRssBytes: memoryOf(cloud.pid).hwm };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-release-download.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`release download: ${JSON.stringify(report)}`);
});

describe('R17.2 a multi-GB released file downloaded through the 302, checked by its SHA-256', () => {
  it('uploads, verifies, releases and downloads 2.5 GiB; the bytes equal the file generated; a Range request returns the part asked for', async () => {
    // prepare: an 内部 source and the release package (uploaded with the CLI) of the same task, verified
    const taskId = await registeredTask();
    const sourceSubmission = await verifiedResult({ name: `大文件发布源成果 ${Date.now()}`, classification: 'internal', taskId });
    const source = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: sourceSubmission } });
    expect(source.status).toBe(201);
    const name = `大文件发布版本 ${Date.now()}`;
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue(name, { classification: 'public' })));
    const since = new Date();
    const token = await tokenOf('li.na');
    // On a loaded laptop a call may time out (503); the CLI keeps what arrived and the same command resumes, as a user would run it again.
    let run = await timed('upload', () => runCli(configDir, ['upload', dir, '--task', taskId, '--parallel', '4', '--no-follow'], token, {}, 30 * 60_000));
    if (run.code !== 0 && /HTTP_503|HTTP_504/.test(run.stderr + run.stdout)) run = await timed('upload-resume', () => runCli(configDir, ['upload', dir, '--parallel', '4', '--no-follow'], token, {}, 30 * 60_000));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const pkg = (JSON.parse(readFileSync(join(dir, '.chengguo-upload.json'), 'utf8')) as { submissionId: string }).submissionId;
    const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 600_000 });
    await versionStatus(pkg, 1, ['awaitingReview'], 600_000);
    expect((await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
    await versionStatus(pkg, 1, ['verified'], 120_000);
    const n = await registeredRelease(source.body.entry.resultNumber as string, pkg);

    // act: approved and published (server-side copy of 2.5 GiB), then the public download
    const published = await timed('publish', () => approvedAndPublished(n));
    const res = await download(n, 'maps/dom-release.tif');
    const location = res.headers.get('location') ?? '';
    const got = await timed('download', async () => {
      const hash = createHash('sha256');
      let bytes = 0;
      const body = (await fetch(location)).body!;
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      return { sha256: hash.digest('hex'), bytes };
    });
    const tail = await fetch(location, { headers: { range: `bytes=${bigBytes - 1024}-` } });

    // assess
    expect(published).toMatchObject({ state: 'released', changed: true });
    expect(res.status).toBe(302);
    expect(location.startsWith(`${cloud.urls.s3}/`)).toBe(true);
    expect(got).toEqual({ sha256, bytes: bigBytes });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(1024);
  }, 60 * 60_000);
});
