import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenOf, verifiedResult } from './fixture-submission.ts';
import { api, cloud, eventually } from './helpers.ts';


/** A provincial public result driven through the real flow (fixture-submission.ts). */
const verifiedPublicResult = (name: string) => verifiedResult({ name, classification: 'public' });

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
