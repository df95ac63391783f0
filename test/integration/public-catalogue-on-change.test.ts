import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtureFiles, fixtureManifest, registeredTask, tokenOf } from './fixture-submission.ts';
import { api, cloud, eventually, waitForEmail } from './helpers.ts';

const catalogue = (name: string) => ({
  name,
  content: '土地利用现状数据库、图件、调查报告与元数据',
  format: 'Shapefile、GeoPackage、GeoTIFF、PDF、XML',
  spatialScope: { regionCode: '440000' },
  timePoint: '2026-06-30',
  classification: 'public',
  sharingMode: 'online',
});

/** A provincial public result driven through the real flow: open → upload → seal → checks → review approved from the emailed task. */
async function verifiedPublicResult(name: string): Promise<string> {
  const since = new Date();
  const files = await fixtureManifest('valid');
  const bytes = await fixtureFiles('valid');
  const opened = await api('POST', `/survey-tasks/${await registeredTask()}/submissions`, { token: await tokenOf('li.na'), body: { catalogue: catalogue(name), files } });
  expect(opened.status).toBe(201);
  const id = opened.body.submission.submissionId as string;
  const urls = await api('POST', `/submissions/${id}/versions/1/upload-urls`, { token: await tokenOf('li.na') });
  for (const f of urls.body.files as Array<{ path: string; url: string; headers: Record<string, string> }>) {
    const { 'content-length': _l, ...headers } = f.headers;
    expect((await fetch(f.url, { method: 'PUT', headers, body: bytes.get(f.path) })).status, f.path).toBe(200);
  }
  expect((await api('POST', `/submissions/${id}/versions/1/complete`, { token: await tokenOf('li.na') })).status).toBe(202);
  const mail = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  const htask = /\/human-tasks\/([A-Za-z0-9_-]{22})\/page/.exec(mail.text ?? '')?.[1];
  expect(htask).toBeDefined();
  await eventually(async () => ((await api('GET', `/human-tasks/${htask}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'review task open');
  expect((await api('POST', `/human-tasks/${htask}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } })).status).toBe(200);
  await eventually(async () => ((await api('GET', `/submissions/${id}`, { token: await tokenOf('li.na') })).body.submission?.status === 'verified' ? true : undefined), 'submission verified', 30_000);
  return id;
}

async function published(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${cloud.urls.api}/public/${path}`);
  return { status: res.status, text: await res.text() };
}

/** The stream's batching window is 5 s and the poller reads every second: 30 s is ample, and no refresh is ever called. */
const changeVisibleWithinMs = 30_000;

describe('R9.3 issue 4 public catalogue refreshed when entries change (registry stream on the local cloud)', () => {
  it('publishes a newly registered public provincial entry, and takes it down once reclassified 内部, with no refresh call', async () => {
    const tag = `oc${randomBytes(4).toString('hex')}`;
    const name = `广东省国土变更调查自动公开成果 ${tag}`;
    const submissionId = await verifiedPublicResult(name);

    const registered = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
    const n = registered.body.entry?.resultNumber as string;
    const item = `collections/landSurvey/items/${n}.json`;
    const shown = await eventually(
      async () => {
        const index = await published('search-index.json');
        return index.status === 200 && index.text.includes(n) ? index : undefined;
      },
      `entry ${n} in the published search index`,
      changeVisibleWithinMs,
    );
    const itemShown = await published(item);

    const edit = await api('PATCH', `/catalogue/${n}`, { token: await tokenOf('zhang.wei'), body: { classification: 'internal', reason: '经审查调整为内部' } });
    const gone = await eventually(async () => ((await published(item)).status === 404 ? true : undefined), `entry ${n} taken down`, changeVisibleWithinMs);
    const indexAfter = await published('search-index.json');
    const status = await api('GET', '/local/status');

    expect(registered.status).toBe(201);
    expect(shown.text).toContain(name);
    expect(itemShown.status).toBe(200);
    expect(JSON.parse(itemShown.text)).toMatchObject({ id: n, properties: { title: name } });
    expect(edit.status).toBe(200);
    expect(gone).toBe(true);
    expect(indexAfter.text).not.toContain(n);
    expect(indexAfter.text).not.toContain(name);
    expect(status.body.streams).toContainEqual(
      expect.objectContaining({ name: 'PublicCatalogueOnChange', function: 'PublishPublicCatalogueOnChange', batchesDropped: 0 }),
    );
    expect(status.body.streams[0].batchesDelivered).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
