import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, cpSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/cloud.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { catalogue, registeredTask, taskIdIn, tokenOf, versionStatus } from '../integration/fixture-submission.ts';
import { api, cloud, eventually, waitForEmail } from '../integration/helpers.ts';
import { hashFile, memoryOf, runCli, timer } from './cli-run.ts';

/**
 * A package of thousands of files on the local cloud, end to end
 * (`npm run test:big`, issue 10: "real packages hold files of many GiB and
 * thousands of files"). Generated here under the system's temp folder and
 * deleted after, never committed: the `valid` fixture, then
 * CHENGGUO_MANY_SHEETS (default 500) map sheets in nested folders
 * data/<county>/<sheet>/, each a shapefile set (.shp .shx .dbf .prj .cpg)
 * and a CSV attribute table of its own (6 files a sheet: 3,000 by default),
 * and three GeoTIFF rasters in maps/ — two sparse of CHENGGUO_MANY_RASTER_MIB
 * (default 768) and one random of a third of that. It is driven the way a
 * user drives it: `chengguo upload` → the version sealed → the automated
 * checks → the reviewer's decision through the emailed task (the API its
 * page calls) and the task page itself → transfer → custody copy → the
 * custodian's receipt → the catalogue entry → the public catalogue. Every
 * custody object is counted and a sample streamed back against the generated
 * bytes. Wall time per stage and the cloud process's peak RSS go to
 * .test-results/big-many-files.json.
 */

const MiB = 1024 * 1024;
const sheets = Number(process.env['CHENGGUO_MANY_SHEETS'] ?? 500);
const rasterBytes = Number(process.env['CHENGGUO_MANY_RASTER_MIB'] ?? 768) * MiB;
const rssLimit = 1024 * MiB;

const timings: Record<string, number> = {};
const notes: Record<string, unknown> = {};
let dir: string;
let configDir: string;
const sha256: Record<string, string> = {};
let fileCount = 0;
let totalBytes = 0;

const timed = timer(timings);

function put(path: string, bytes: Buffer): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), bytes);
  sha256[path] = createHash('sha256').update(bytes).digest('hex');
  fileCount += 1;
  totalBytes += bytes.length;
}

/** A GeoTIFF of `size`: the fixture's header and image, then random bytes (`sparse`: holes, with a random 1 MiB block every 128 MiB). */
async function raster(path: string, size: number, head: Buffer, sparse: boolean): Promise<void> {
  const fd = openSync(join(dir, path), 'w');
  ftruncateSync(fd, size);
  writeSync(fd, head, 0, head.length, 0);
  const block = Buffer.alloc(sparse ? MiB : 8 * MiB);
  if (sparse) for (let at = 32 * MiB; at + MiB <= size; at += 128 * MiB) writeSync(fd, randomFillSync(block), 0, MiB, at);
  else for (let at = head.length; at < size; at += block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, size - at), at);
  closeSync(fd);
  sha256[path] = await hashFile(join(dir, path));
  fileCount += 1;
  totalBytes += size;
}

const cli = (args: string[], token: string, env: Record<string, string> = {}) => runCli(configDir, args, token, env, 30 * 60_000);

let peakDuringRun = 0;
let sampler: NodeJS.Timeout | undefined;

beforeAll(async () => {
  sampler = setInterval(() => {
    peakDuringRun = Math.max(peakDuringRun, memoryOf(cloud.pid).rss);
  }, 500);
  configDir = mkdtempSync(join(tmpdir(), 'chengguo-many-config-'));
  dir = mkdtempSync(join(tmpdir(), 'chengguo-many-package-'));
  await timed('generate', async () => {
    cpSync(fixturePath('./valid'), dir, { recursive: true });
    rmSync(join(dir, 'manifest.json'));
    const fixture = (name: string) => readFileSync(fixturePath(`./valid/${name}`));
    for (const name of ['data/landuse.gpkg', 'data/parcels.cpg', 'data/parcels.dbf', 'data/parcels.prj', 'data/parcels.shp', 'data/parcels.shx', 'maps/overview.tif', 'metadata/metadata.xml', 'report/survey-report.pdf']) {
      const bytes = fixture(name);
      sha256[name] = createHash('sha256').update(bytes).digest('hex');
      fileCount += 1;
      totalBytes += bytes.length;
    }
    const set = Object.fromEntries(['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => [ext, fixture(`data/parcels.${ext}`)]));
    const counties = ['从化区', '增城区', '花都区', '番禺区', '白云区', '黄埔区', '南沙区', '天河区', '海珠区', '荔湾区'];
    for (let i = 0; i < sheets; i += 1) {
      const county = counties[i % counties.length]!;
      const sheet = `F49G${String(Math.floor(i / 10) + 1).padStart(3, '0')}${String((i % 10) + 1).padStart(3, '0')}`;
      const folder = `data/${county}/${sheet}`;
      for (const [ext, bytes] of Object.entries(set)) put(`${folder}/${sheet}_地类图斑.${ext}`, bytes);
      const rows = Array.from({ length: 20 }, (_, r) => `${sheet}-${String(r + 1).padStart(4, '0')},0101,水田,${(1000 + ((i * 37 + r * 11) % 9000)) / 10}`);
      put(`${folder}/${sheet}_属性表.csv`, Buffer.from(`图斑编号,地类编码,地类名称,面积\n${rows.join('\n')}\n`, 'utf8'));
    }
    const tiff = fixture('maps/overview.tif');
    await raster('maps/DOM_广州市_1.tif', rasterBytes, tiff, true);
    await raster('maps/DOM_广州市_2.tif', rasterBytes, tiff, true);
    await raster('maps/DEM_广州市.tif', Math.max(tiff.length, Math.floor(rasterBytes / 3)), tiff, false);
  });
  notes['files'] = fileCount;
  notes['bytes'] = totalBytes;
}, 20 * 60_000);

afterAll(() => {
  if (sampler) clearInterval(sampler);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  const report = { sheets, rasterBytes, timingsMs: timings, cloudPeakRssBytes: memoryOf(cloud.pid).hwm, cloudPeakRssSampledBytes: peakDuringRun, ...notes };
  mkdirSync(join(projectRoot, '.test-results'), { recursive: true });
  writeFileSync(join(projectRoot, '.test-results', 'big-many-files.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`many files: ${JSON.stringify(report)}`);
});

describe('issue-10 R6.1 R7.1 R8.1 R9.1 R9.3 R10.1 a package of thousands of files on the local cloud', () => {
  it('goes through the CLI upload, checks, review, transfer, custody, receipt, catalogue and public catalogue with every file accounted for', async () => {
    // prepare
    expect(fileCount).toBeGreaterThanOrEqual(3000);
    const token = await tokenOf('li.na');
    const taskId = await registeredTask();
    const name = `千文件成果包 ${Date.now()}`;
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify({ ...catalogue(name, { classification: 'public' }) }));
    const since = new Date();

    // act 1: the CLI uploads, seals and waits for the checks
    const uploaded = await timed('cli-upload-and-checks', () => cli(['upload', dir, '--task', taskId, '--parallel', '8'], token));
    expect(uploaded.code, uploaded.stdout.slice(-4000) + uploaded.stderr.slice(-4000)).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, '.chengguo-upload.json'), 'utf8')) as { submissionId: string };
    const submissionId = state.submissionId;

    // act 2: the reviewer opens the emailed task (its page, the report) and approves
    const review = await timed('review-mail', () => waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 600_000 }));
    await versionStatus(submissionId, 1, ['awaitingReview'], 120_000);
    const reviewTaskId = taskIdIn(review);
    const reviewer = await tokenOf('chen.jing');
    const task = await timed('review-task-read', () => api('GET', `/human-tasks/${reviewTaskId}`, { token: reviewer }));
    expect(task.status).toBe(200);
    notes['reviewTaskBytes'] = JSON.stringify(task.body).length;
    const report = await timed('verification-report-read', () => api('GET', `/submissions/${submissionId}/versions/1/report`, { token: reviewer }));
    expect(report.status).toBe(200);
    notes['reportBytes'] = JSON.stringify(report.body).length;
    expect(report.body.passed, JSON.stringify(report.body).slice(0, 2000)).toBe(true);
    const page = await timed('review-page-read', () => api<string>('GET', `/human-tasks/${reviewTaskId}/page`));
    expect(page.status).toBe(200);
    const html = await timed('report-html-read', () => api<string>('GET', `/submissions/${submissionId}/versions/1/report.html`, { token: reviewer }));
    expect(html.status).toBe(200);
    expect(html.body).toContain('核验结论：通过');
    notes['reportHtmlBytes'] = html.body.length;
    const decided = await timed('review-decision', () => api('POST', `/human-tasks/${reviewTaskId}/decision`, { token: reviewer, body: { decision: 'approve', reasons: '' } }));
    expect(decided.status).toBe(200);
    await versionStatus(submissionId, 1, ['verified'], 120_000);

    // act 3: transfer, custody copy, receipt (registers the catalogue entry)
    const transferSince = new Date();
    await timed('transfer-custody-copy', async () => {
      expect((await api('POST', `/submissions/${submissionId}/transfer`, { token: reviewer })).status).toBe(202);
      await eventually(
        async () => {
          const t = await api('GET', `/submissions/${submissionId}/timeline`, { token: reviewer });
          const types = (t.body.entries as Array<{ type: string }>).map((e) => e.type);
          if (types.includes('transferFailed')) throw new Error(`transfer failed: ${JSON.stringify(t.body.entries.at(-1))}`);
          return types.includes('custodyCopied') ? true : undefined;
        },
        'custodyCopied',
        20 * 60_000,
      );
    });
    const receipt = await waitForEmail({ to: 'zhang.wei@example.gov.cn', subject: `成果移交接收确认：${name}`, since: transferSince, timeoutMs: 300_000 });
    const custodian = await tokenOf('zhang.wei');
    const receiptDecided = await timed('receipt-decision', () => api('POST', `/human-tasks/${taskIdIn(receipt)}/decision`, { token: custodian, body: { decision: 'approve' } }));
    expect(receiptDecided.status).toBe(200);
    const received = await timed('receipt-recorded', () =>
      eventually(
        async () => {
          const t = await api('GET', `/submissions/${submissionId}/timeline`, { token: reviewer });
          return (t.body.entries as Array<{ type: string; detail?: Record<string, unknown> }>).find((e) => e.type === 'custodyReceived');
        },
        'custodyReceived',
        300_000,
      ),
    );
    const resultNumber = String(received.detail?.['resultNumber']);

    // act 4: the catalogue entry and the public catalogue
    const entry = await timed('catalogue-read', () => api('GET', `/catalogue/${resultNumber}`, { token: custodian }));
    const refreshed = await timed('public-catalogue-refresh', () => api('POST', '/public-catalogue/refresh', { token: custodian }));
    const item = await fetch(`${cloud.urls.api}/public/collections/landSurvey/items/${resultNumber}.json`);

    // assess: the custody manifest lists every file with its SHA-256; every object is there; a sample streams back intact
    expect(entry.status).toBe(200);
    expect(entry.body.entry).toMatchObject({ resultNumber, name });
    expect(refreshed.status).toBe(200);
    expect(item.status).toBe(200);
    const manifestRes = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${custodyManifestKey(resultNumber, 1)}`);
    expect(manifestRes.status).toBe(200);
    const manifest = (await manifestRes.json()) as { files: Array<{ path: string; key: string; size: number; sha256: string }> };
    expect(manifest.files).toHaveLength(fileCount);
    for (const f of manifest.files) expect(f.sha256, f.path).toBe(sha256[f.path]);
    const rasters = manifest.files.filter((f) => f.path.startsWith('maps/D'));
    const sample = [...rasters, ...manifest.files.filter((_, i) => i % 97 === 0)];
    await timed('custody-readback-sample', async () => {
      for (const bucket of ['custody', 'backup'] as const) {
        for (const f of sample) {
          const res = await fetch(`${cloud.urls.s3}/${localBucketName(bucket)}/${f.key.split('/').map(encodeURIComponent).join('/')}`);
          expect(res.status, `${bucket} ${f.key}`).toBe(200);
          const hash = createHash('sha256');
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
          expect(hash.digest('hex'), `${bucket} ${f.path}`).toBe(sha256[f.path]);
        }
      }
    });
    await timed('custody-head-all', async () => {
      for (const f of manifest.files) {
        const res = await fetch(`${cloud.urls.s3}/${localBucketName('custody')}/${f.key.split('/').map(encodeURIComponent).join('/')}`, { method: 'HEAD' });
        expect(res.status, f.key).toBe(200);
        expect(Number(res.headers.get('content-length')), f.key).toBe(f.size);
      }
    });
    expect(memoryOf(cloud.pid).hwm).toBeLessThan(rssLimit);
  }, 90 * 60_000);
});
