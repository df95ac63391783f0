/**
 * The public download as a citizen meets it (issue 15, R17.2): a cloud of its own with demo data, whose
 * wetland result has a released 公开 version; the public catalogue page opens in Chromium without signing in,
 * the 获取 column's link is clicked, the browser follows the 302 to the presigned S3 URL and saves the file,
 * and the saved bytes' SHA-256 is the package file's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startLocalCloud, type LocalCloud } from '#infra/local/cloud.ts';
import type { DemoSummary } from '#infra/local/demo.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { testPortBase } from '../integration/global-setup.ts';

const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const portBase = testPortBase + 80;
const dataDir = join(projectRoot, '.test-data', `public-download-${portBase}`);

let cloud: LocalCloud;
let browser: Browser;
let summary: DemoSummary | undefined;

beforeAll(async () => {
  cloud = await startLocalCloud({ portBase, dataDir, reset: true, log: () => undefined, handlerLogLevel: 'ERROR', runSchedules: false, demo: true });
  summary = await cloud.demo;
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', args: chromiumArgs });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

describe('R17.2 R9.3 the demo release downloaded from the public page in a browser', () => {
  it('opens /public/ without signing in, clicks 下载 maps/overview.tif of the released wetland version, and saves the file intact', async () => {
    // prepare
    const n = summary?.releaseNumber;
    expect(n).toMatch(/-R1$/);
    const context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const expected = createHash('sha256').update(await readFile(fixturePath('./valid/maps/overview.tif'))).digest('hex');

    // act
    await page.goto(`${cloud.urls.api}/public/`);
    const row = page.locator('tr', { hasText: n! });
    await row.getByRole('link', { name: '下载 maps/overview.tif' }).waitFor();
    const [saved] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: '下载 maps/overview.tif' }).click()]);
    const file = await saved.path();

    // assess
    expect(saved.suggestedFilename()).toBe('overview.tif');
    expect(saved.url()).toMatch(new RegExp(`(public/downloads|releases)/${n}/maps/overview\\.tif`));
    expect(createHash('sha256').update(await readFile(file)).digest('hex')).toBe(expected);
    expect(await row.locator('td').last().textContent()).toContain('下载 data/landuse.gpkg');
    await context.close();
  }, 120_000);
});
