import { describe, expect, it } from 'vitest';
import { regionBboxFor, regionBoxFor } from '#shared/reference/regions.ts';
import { cgcs2000ByEpsg } from '#shared/verification/crs.ts';
import { checkExtent } from '#shared/verification/extent.ts';

/**
 * R3.1 R7.1 issue 12: the extent check says which level of box it used. No npm package with city or county boundaries
 * under a licence that allows it was found (docs/compliance.md R3.1), so a county task is checked against its
 * province's box — and the message says so instead of naming the province as if it were the declared region.
 */
const crs = cgcs2000ByEpsg(4490)!;
/** 宁波市 (about 121.5° E, 29.9° N) and 广州市 (113.3° E, 23.1° N). */
const ningbo: [number, number, number, number] = [121.4, 29.8, 121.7, 30.0];
const guangzhou: [number, number, number, number] = [113.2, 23.0, 113.4, 23.2];

describe('R3.1 R7.1 issue 12: the extent check names the declared county and the level of box it used', () => {
  it('data of 广州 declared for 杭州市西湖区: outside, naming 西湖区, its province and “市县级边界数据暂缺，按省级外包框”', () => {
    // act
    const result = checkExtent({ file: 'a.gpkg', bbox: guangzhou, crs, region: regionBoxFor('330106')!, severity: 'error' });
    // assess
    expect(result.defects).toHaveLength(1);
    expect(result.defects[0]!.message).toContain('申报行政区 杭州市西湖区（330106）所在的 浙江省（330000）之外');
    expect(result.defects[0]!.message).toContain('市县级边界数据暂缺，按省级外包框近似判断');
  });

  it('a provincial task names the province and the provincial box; a national one the national box', () => {
    // act
    const provincial = checkExtent({ file: 'a.gpkg', bbox: guangzhou, crs, region: regionBoxFor('330000')!, severity: 'error' });
    const national = checkExtent({ file: 'a.gpkg', bbox: [0, 0, 1, 1], crs, region: regionBoxFor('100000')!, severity: 'error' });
    // assess
    expect(provincial.defects[0]!.message).toContain('申报行政区 浙江省（330000）之外（按省级外包框近似判断）');
    expect(national.defects[0]!.message).toContain('按全国外包框判断');
  });

  it('known limit until county boundaries exist: data of 宁波市 declared for 杭州市西湖区 lies in the same province and passes', () => {
    // act
    const result = checkExtent({ file: 'a.gpkg', bbox: ningbo, crs, region: regionBoxFor('330106')!, severity: 'error' });
    // assess
    expect(regionBoxFor('330106')).toMatchObject({ level: 'provincial', code: '330000', declared: { code: '330106', name: '杭州市西湖区' } });
    expect(result.defects).toEqual([]);
  });
});

describe('R9.3 issue 10: the catalogue search filter places an entry without its own box by regionBboxFor, the same box as regionBoxFor', () => {
  it('gives regionBoxFor’s bbox for national, provincial, city and county codes, with and without a department’s boundary boxes, and nothing for a bad code', () => {
    // prepare
    const extents = {
      source: { file: 'b.geojson', sha256: 'ab'.repeat(32), licence: 'l', attribution: 'a', builtAt: '2026-12-04T00:00:00.000Z' },
      boxes: new Map<string, readonly [number, number, number, number]>([
        ['330100', [119.5, 29.7, 120.7, 30.6]],
        ['330106', [120.0, 30.1, 120.2, 30.3]],
      ]),
    };
    const codes = ['100000', '440000', '440100', '440117', '330106', '330102', '330200'];

    // act
    const plain = codes.map((c) => [regionBboxFor(c, undefined), regionBoxFor(c, undefined)?.bbox]);
    const withExtents = codes.map((c) => [regionBboxFor(c, extents), regionBoxFor(c, extents)?.bbox]);

    // assess
    for (const [bbox, expected] of [...plain, ...withExtents]) expect(bbox).toEqual(expected);
    expect(regionBboxFor('330106', extents)).toEqual([120.0, 30.1, 120.2, 30.3]);
    expect(regionBboxFor('330102', extents)).toEqual([119.5, 29.7, 120.7, 30.6]);
    expect(regionBboxFor('4401')).toBeUndefined();
    expect(regionBboxFor('990000')).toBeUndefined();
  });
});
