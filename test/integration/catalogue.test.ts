import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { catalogue, fixtureFiles, fixtureManifest, registeredTask, tokenOf, verifiedResult } from './fixture-submission.ts';
import { api, eventually, getItem, waitForEmail } from './helpers.ts';

// The shared loaders and setup (test/integration/fixture-submission.ts).
const fixture = async (name: string) => ({ files: await fixtureManifest(name), bytes: await fixtureFiles(name) });
const task = registeredTask;


/** A county result driven through the real flow (fixture-submission.ts). */
const verifiedCountyResult = (name: string) => verifiedResult({ name, regionCode: '440117', classification: 'internal' });

describe('R9.1 R9.2 catalogue on the local cloud: numbering, registration, search by region, clearance', () => {
  it('numbers and catalogues a verified county result, finds it by its province, and hides a 秘密 entry from lower clearances', async () => {
    const tag = `it${randomBytes(4).toString('hex')}`;
    const countyName = `从化区国土变更调查成果 ${tag}`;
    const countyId = await verifiedCountyResult(countyName);
    // R5.1: a 秘密 result is held offline by the custodian (no upload); it is still catalogued.
    const secretOpen = await api('POST', `/survey-tasks/${await task()}/submissions`, {
      token: await tokenOf('li.na'),
      body: { catalogue: catalogue(`广东省国土调查涉密成果 ${tag}`, { regionCode: '440000', classification: 'secret' }), files: (await fixture('valid')).files },
    });
    expect(secretOpen.status).toBe(409);
    const secretId = secretOpen.body.submission.submissionId as string;

    const county = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: countyId } });
    const again = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: countyId } });
    const secret = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId: secretId } });

    expect(county.status).toBe(201);
    expect(county.body.entry).toMatchObject({ name: countyName, spatialScope: { regionCode: '440117' }, classification: 'internal', custodian: '440000-CUS', version: 1 });
    expect(county.body.entry.resultNumber).toMatch(/^440000-CUS-\d{4}-GT-\d{6}$/);
    expect(again.status).toBe(200);
    expect(again.body.entry.resultNumber).toBe(county.body.entry.resultNumber);
    expect(secret.status).toBe(201);
    expect(secret.body.entry.sequence).toBeGreaterThan(county.body.entry.sequence);
    const seq = await getItem({ pk: `NUMSEQ#440000-CUS#${county.body.entry.year}`, sk: 'META' });
    expect(Number(seq?.['value'])).toBeGreaterThanOrEqual(secret.body.entry.sequence);

    const search = async (user: string, query: string) => api('GET', `/catalogue?${query}`, { token: await tokenOf(user) });
    const names = (r: { body: { items: Array<{ name: string }> } }) => r.body.items.map((e) => e.name).sort();
    const byProvince = await search('chen.jing', `region=440000&q=${tag}`);
    const byCity = await search('chen.jing', `region=440100&q=${tag}`);
    const asInternal = await search('li.na', `region=440000&q=${tag}`);
    const asPublic = await search('luo.xin', `region=440000&q=${tag}`);
    const secretDirect = await api('GET', `/catalogue/${secret.body.entry.resultNumber}`, { token: await tokenOf('luo.xin') });

    expect(byProvince.status).toBe(200);
    expect(names(byProvince)).toEqual([countyName, `广东省国土调查涉密成果 ${tag}`].sort());
    expect(names(byCity)).toEqual([countyName]);
    expect(names(asInternal)).toEqual([countyName]);
    expect(names(asPublic)).toEqual([]);
    expect(secretDirect.status).toBe(404);
  }, 120_000);
});
