/**
 * Browser upload against the CLI's (issue 13): the same package (the `valid` fixture and a 256 MiB file
 * that travels in 32 parts of 8 MiB — 264 MiB in all) to the same endpoint (one local cloud on
 * CHENGGUO_BENCH_PORT_BASE, default 9800), each run a new survey task and submission:
 *  - case: the console in Debian's Chromium (playwright-core): folder picked, "开始上传" clicked, timed
 *    until the page says the version is sealed (SHA-256 in 2 Web Workers, 6 PUTs in flight);
 *  - baseline: `chengguo upload <dir> --task … --no-follow` as a user runs it (the bundled CLI,
 *    dist/chengguo.mjs: hashing, the same API calls, 4 PUTs in flight — its default).
 * Both timed from the start to the version sealed (hashing included); throughput = package bytes ÷ time.
 * Interleaved, ≥ 5 timed runs each after a warm-up (compare.ts); between runs the verification of the last
 * upload is waited for, so it does not load the next one.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { projectRoot, startLocalCloud } from '#infra/local/cloud.ts';
import { fixturePath } from '../test/fixtures/packages/load.ts';
import { comparison, interleaved, spread } from './compare.ts';
import type { BenchResult } from './run.ts';

const MiB = 1024 * 1024;
const bigBytes = 256 * MiB;

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(join(projectRoot, 'dist', 'console', 'index.html')) || !existsSync(join(projectRoot, 'dist', 'chengguo.mjs'))) {
    throw new Error('dist/console or dist/chengguo.mjs missing: npm run prepare');
  }
  const work = mkdtempSync(join(tmpdir(), 'chengguo-upload-bench-'));
  const pkg = join(work, 'package');
  cpSync(fixturePath('./valid'), pkg, { recursive: true });
  rmSync(join(pkg, 'manifest.json'));
  const fd = openSync(join(pkg, 'data', 'imagery.bin'), 'w');
  for (let n = 0; n < bigBytes; n += 8 * MiB) writeSync(fd, randomBytes(8 * MiB));
  closeSync(fd);
  const cloud = await startLocalCloud({
    portBase: Number(process.env['CHENGGUO_BENCH_PORT_BASE'] ?? 9800),
    dataDir: join(work, 'cloud'),
    reset: true,
    log: () => undefined,
    handlerLogLevel: 'ERROR',
    runSchedules: false,
  });
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const apiUrl = cloud.urls.api;
    const token = async (userId: string) =>
      ((await (await fetch(`${apiUrl}/local-auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })).json()) as { idToken: string }).idToken;
    const call = async (method: string, path: string, userId: string, body?: unknown) => {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token(userId)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as any;
    };
    let round = 0;
    /** A fresh task for li.na's unit with completion recorded, and its package folder with catalogue.json. */
    const prepare = async () => {
      round += 1;
      const task = await call('POST', '/survey-tasks', 'chen.jing', { name: `上传基准任务 ${round}`, theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS' });
      const taskId = String(task.task.taskId);
      await call('PUT', `/survey-tasks/${taskId}/completion`, 'li.na', { completionDate: '2026-09-18' });
      const dir = join(work, `run-${round}`);
      cpSync(pkg, dir, { recursive: true });
      writeFileSync(
        join(dir, 'catalogue.json'),
        JSON.stringify({ name: `上传基准成果 ${round}`, content: '土地利用现状数据库、图件、调查报告与元数据', format: 'Shapefile、GeoTIFF、PDF', spatialScope: { regionCode: '440000' }, timePoint: '2026-06-30', classification: 'internal', sharingMode: 'online' }),
      );
      return { taskId, dir };
    };
    const settle = async (taskId: string) => {
      for (let i = 0; i < 300; i += 1) {
        const t = await call('GET', `/survey-tasks/${taskId}`, 'li.na');
        const s = t.submissions[0];
        if (s && s.status !== 'uploading' && s.status !== 'verifying') return;
        await new Promise((r) => setTimeout(r, 500));
      }
    };

    // The browser: one signed-in page, sent to each task's upload page as a link does.
    const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await page.goto(`${apiUrl}/console/survey-tasks`);
    await page.waitForURL(/\/local-auth\/oauth2\/authorize\?/);
    await page.locator('button[name="userId"][value="li.na"]').click();
    await page.getByTestId('who').waitFor();

    let pending: { taskId: string; dir: string } | undefined;
    const phases = { hash: [] as number[], send: [] as number[] };
    const next = async () => (pending = await prepare());
    const timed = {
      browser: async () => {
        const { taskId, dir } = pending as { taskId: string; dir: string };
        const path = `/console/survey-tasks/${taskId}/upload`;
        await page.evaluate(`history.pushState({}, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'));`);
        await page.getByTestId('upload-task').waitFor();
        await page.locator('#package-folder').setInputFiles(dir);
        await page.getByTestId('picked').waitFor();
        const t0 = performance.now();
        await page.getByTestId('start-upload').click();
        await page.getByTestId('stage').getByText('已封存').waitFor({ timeout: 600_000 });
        const ms = performance.now() - t0;
        // The page's own split: hashing, and URLs → PUTs → completes → sealed.
        const split = /校验值用时 ([\d.]+) 秒；上传与封存用时 ([\d.]+) 秒/.exec(await page.getByTestId('upload-timings').innerText());
        phases.hash.push(Number(split?.[1]) * 1000);
        phases.send.push(Number(split?.[2]) * 1000);
        return ms;
      },
      cli: async () => {
        const { taskId, dir } = pending as { taskId: string; dir: string };
        const idToken = await token('li.na');
        const t0 = performance.now();
        const code = await new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, [join(projectRoot, 'dist', 'chengguo.mjs'), 'upload', dir, '--task', taskId, '--no-follow'], {
            env: { ...process.env, CHENGGUO_TOKEN: idToken, CHENGGUO_API_URL: apiUrl, CHENGGUO_CONFIG_DIR: join(work, 'cli-config') },
            stdio: 'ignore',
          });
          child.on('error', reject);
          child.on('close', resolve);
        });
        if (code !== 0) throw new Error(`chengguo upload exited ${code}`);
        return performance.now() - t0;
      },
    };
    // interleaved() times the whole call: the preparation and the wait for verification are kept out by
    // measuring inside and handing interleaved() the measured values afterwards.
    const measured: Record<'browser' | 'cli', number[]> = { browser: [], cli: [] };
    await interleaved({
      browser: async () => {
        await next();
        measured.browser.push(await timed.browser());
        await settle((pending as { taskId: string }).taskId);
      },
      cli: async () => {
        await next();
        measured.cli.push(await timed.cli());
        await settle((pending as { taskId: string }).taskId);
      },
    });
    // The warm-up round is the first of each.
    const browserMs = measured.browser.slice(1);
    const cliMs = measured.cli.slice(1);
    const totalMiB = (bigBytes + 0) / MiB;
    const median = (xs: number[]) => spread(xs.slice(1)).median;
    return [
      ...comparison({
      caseName: 'Browser upload (console, Chromium)',
      baselineName: 'CLI upload (chengguo upload --no-follow)',
      caseMs: browserMs,
      baselineMs: cliMs,
      unit: 'MiB/s',
      per: (ms) => totalMiB / (ms / 1000),
      higherIsBetter: true,
      note: `${totalMiB} MiB package (+ the valid fixture), start → sealed, hashing included; 6 PUTs in flight, 2 hashing workers`,
      baselineNote: 'bundled CLI, 4 PUTs in flight (default)',
      ratioName: 'Browser ÷ CLI upload throughput',
      }),
      { name: 'Browser: hashing (2 Web Workers, hash-wasm)', value: totalMiB / (median(phases.hash) / 1000), unit: 'MiB/s', note: 'the page’s own timing, median of the timed runs' },
      { name: 'Browser: URLs, PUTs, completes, seal', value: totalMiB / (median(phases.send) / 1000), unit: 'MiB/s', note: 'the page’s own timing, median of the timed runs' },
    ];
  } finally {
    await browser.close();
    await cloud.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
