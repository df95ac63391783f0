import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { catalogue, fixtureFiles, fixtureManifest, registeredTask, tokenOf, verifiedResult } from './fixture-submission.ts';
import { api, cloud, eventually, waitForEmail } from './helpers.ts';

// The shared loaders and setup (test/integration/fixture-submission.ts).
const fixture = async (name: string) => ({ files: await fixtureManifest(name), bytes: await fixtureFiles(name) });
const task = registeredTask;


/** A provincial public result driven through the real flow (fixture-submission.ts). */
const verifiedPublicResult = (name: string) => verifiedResult({ name, classification: 'public' });

async function published(path: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${cloud.urls.api}/public/${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('R9.3 public catalogue on the local cloud: published to the bucket, served at /public/, classified entries absent', () => {
  it('publishes a provincial public entry as STAC and a page on refresh, and leaves a 秘密 entry out of every file', async () => {
    const tag = `pc${randomBytes(4).toString('hex')}`;
    const publicName = `广东省国土变更调查公开成果 ${tag}`;
    const secretName = `广东省国土调查涉密成果 ${tag}`;
    const publicId = await verifiedPublicResult(publicName);
    const secretOpen = await api('POST', `/survey-tasks/${await task()}/submissions`, {
      token: await tokenOf('li.na'),
      body: { catalogue: catalogue(secretName, { classification: 'secret' }), files: (await fixture('valid')).files },
    });
    expect(secretOpen.status).toBe(409);
    const pub = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: publicId } });
    const secret = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: secretOpen.body.submission.submissionId } });
    expect(pub.status).toBe(201);
    expect(secret.status).toBe(201);
    const publicNumber = pub.body.entry.resultNumber as string;
    const secretNumber = secret.body.entry.resultNumber as string;

    const refused = await api('POST', '/public-catalogue/refresh', { token: await tokenOf('li.na') });
    const refreshed = await api('POST', '/public-catalogue/refresh', { token: await tokenOf('zhang.wei') });
    const root = await published('catalog.json');
    const collection = await published('collections/landSurvey/collection.json');
    const item = await published(`collections/landSurvey/items/${publicNumber}.json`);
    const secretItem = await published(`collections/landSurvey/items/${secretNumber}.json`);
    const index = await published('search-index.json');
    const page = await published('');
    const escape = await published('..%2F..%2Fdocuments%2Fx.json');

    expect(refused.status).toBe(403);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.entries).toBeGreaterThanOrEqual(1);
    expect(root.status).toBe(200);
    expect(root.type).toContain('application/json');
    expect(JSON.parse(root.text)).toMatchObject({ type: 'Catalog', stac_version: '1.0.0' });
    expect(JSON.parse(root.text).links).toContainEqual(expect.objectContaining({ rel: 'child', href: './collections/landSurvey/collection.json' }));
    expect(collection.status).toBe(200);
    expect(JSON.parse(collection.text).links).toContainEqual(expect.objectContaining({ rel: 'item', href: `./items/${publicNumber}.json` }));
    expect(item.status).toBe(200);
    expect(item.type).toContain('application/geo+json');
    expect(JSON.parse(item.text)).toMatchObject({ type: 'Feature', id: publicNumber, collection: 'landSurvey', properties: { title: publicName } });
    expect(secretItem.status).toBe(404);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('自然资源调查监测成果公开目录');
    expect(page.text).toContain(publicName);
    expect(escape.status).toBe(404);
    for (const body of [root.text, collection.text, index.text, page.text]) {
      expect(body).not.toContain(secretNumber);
      expect(body).not.toContain(secretName);
    }
  }, 120_000);

  it('drops an entry from the published files once it is reclassified 内部', async () => {
    const tag = `pc${randomBytes(4).toString('hex')}`;
    const name = `广东省国土变更调查待调整成果 ${tag}`;
    const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: await verifiedPublicResult(name) } });
    const n = entry.body.entry.resultNumber as string;
    expect((await api('POST', '/public-catalogue/refresh', { token: await tokenOf('zhang.wei') })).status).toBe(200);
    expect((await published(`collections/landSurvey/items/${n}.json`)).status).toBe(200);

    const edit = await api('PATCH', `/catalogue/${n}`, { token: await tokenOf('zhang.wei'), body: { classification: 'internal', reason: '经审查调整为内部' } });
    const refreshed = await api('POST', '/public-catalogue/refresh', { token: await tokenOf('zhang.wei') });
    const item = await published(`collections/landSurvey/items/${n}.json`);
    const index = await published('search-index.json');

    expect(edit.status).toBe(200);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.deleted).toBeGreaterThanOrEqual(1);
    expect(item.status).toBe(404);
    expect(index.text).not.toContain(n);
    expect(index.text).not.toContain(name);
  }, 120_000);

  it('lets a citizen find an entry on the page by keyword in a browser, with no script blocked', async () => {
    const tag = `pc${randomBytes(4).toString('hex')}`;
    const name = `广东省国土变更调查浏览器检索成果 ${tag}`;
    expect((await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: await verifiedPublicResult(name) } })).status).toBe(201);
    expect((await api('POST', '/public-catalogue/refresh', { token: await tokenOf('zhang.wei') })).status).toBe(200);
    // Headless, and nothing that reaches for the internet (the laptops have none).
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${cloud.urls.api}/public/`);

      await page.fill('#q', tag);

      await expect.poll(async () => page.textContent('#count')).toBe('共 1 项');
      expect(await page.textContent('#rows')).toContain(name);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('the daily schedule publishes the catalogue and republishes it on its next run', async () => {
    const first = await api('POST', '/local/schedules/PublicCatalogueRefresh/run');
    const before = JSON.parse((await published('search-index.json')).text) as { generatedAt: string };

    const second = await api('POST', '/local/schedules/PublicCatalogueRefresh/run');
    const after = JSON.parse((await published('search-index.json')).text) as { generatedAt: string };

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.result).toMatchObject({ schedule: 'PublicCatalogueRefresh' });
    expect(after.generatedAt > before.generatedAt).toBe(true);
  });
});
