import { describe, expect, it } from 'vitest';
import { buildPublicCatalogue } from '#shared/catalogue/public/build.ts';
import { downloadHref } from '#shared/publication/keys.ts';
import { catalogueEntryFixture } from '../fixtures/catalogue-entry.ts';

const generatedAt = new Date('2026-11-28T18:00:00.000Z');
const sha = 'ab'.repeat(32);
const released = catalogueEntryFixture({
  custodian: '440000-CUS',
  sequence: 1,
  name: '广东省第三次国土调查成果（公开版）',
  release: { sourceNumber: '440000-CUS-2026-GT-000009', state: 'released', releasedAt: '2026-11-20T02:00:00.000Z', files: [{ path: 'data/landuse.gpkg', size: 2048, sha256: sha, type: 'application/geopackage+sqlite3' }] },
});
const forSale = catalogueEntryFixture({ custodian: '440000-CUS', sequence: 2, name: '广东省地图集（出版物）', release: { sourceNumber: '440000-CUS-2026-GT-000010', state: 'released', releasedAt: '2026-11-20T02:00:00.000Z', forSale: { publisher: '广东省地图出版社', ordering: '020-1234' } } });
const withdrawn = catalogueEntryFixture({ custodian: '440000-CUS', sequence: 3, name: '已撤回的发布版本', release: { sourceNumber: '440000-CUS-2026-GT-000011', state: 'withdrawn', withdrawal: { at: '2026-11-21T02:00:00.000Z', by: 'liu.yang', byOrg: '440000-NR', reason: '发现问题' } } });
const plain = catalogueEntryFixture({ custodian: '440000-CUS', sequence: 4, name: '只有目录信息的成果' });
const orgNames = new Map([['440000-CUS', '广东省国土资源技术中心']]);

describe('R14.2 released results offered to external public platforms: data.json (DCAT) written by the public-catalogue publisher', () => {
  it('lists only released, downloadable results, with absolute download URLs on the API and their SHA-256', () => {
    // act
    const files = buildPublicCatalogue([released, forSale, withdrawn, plain], { generatedAt, orgNames, apiBaseUrl: 'https://api.chengguo.example.gov.cn/' });
    const feed = JSON.parse(files.get('data.json')!.body) as { conformsTo: string; dataset: Array<Record<string, any>> };

    // assess
    expect(feed.conformsTo).toBe('https://project-open-data.cio.gov/v1.1/schema');
    expect(feed.dataset.map((d) => d['identifier'])).toEqual([released.resultNumber]);
    expect(feed.dataset[0]).toMatchObject({
      '@type': 'dcat:Dataset',
      title: '广东省第三次国土调查成果（公开版）',
      accessLevel: 'public',
      issued: '2026-11-20T02:00:00.000Z',
      publisher: { name: '广东省国土资源技术中心' },
      distribution: [{
        downloadURL: `https://api.chengguo.example.gov.cn/public/${downloadHref(released.resultNumber, 'data/landuse.gpkg')}`,
        mediaType: 'application/geopackage+sqlite3',
        byteSize: 2048,
        'spdx:checksum': { algorithm: 'sha256', checksumValue: sha },
      }],
    });
  });
});

describe('R14.2 issue 16 the public form link works where the static site is not the API (CloudFront on AWS)', () => {
  it('links the form on the API when the API base is known, and relatively when the site is served under the API’s /public/', () => {
    // act
    const onAws = buildPublicCatalogue([released], { generatedAt, orgNames, apiBaseUrl: 'https://api.chengguo.example.gov.cn' }).get('index.html')!.body;
    const local = buildPublicCatalogue([released], { generatedAt, orgNames }).get('index.html')!.body;

    // assess
    expect(onAws).toContain('<a href="https://api.chengguo.example.gov.cn/public/applications/form">在线申请');
    expect(onAws).not.toContain('<a href="applications/form">');
    expect(local).toContain('<a href="applications/form">在线申请');
    expect(onAws).toContain('href="data.json"');
  });
});
