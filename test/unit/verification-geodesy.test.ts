import { describe, expect, it } from 'vitest';
import { cgcs2000ByEpsg } from '#shared/verification/crs.ts';
import { checkExtent, lonLatBbox } from '#shared/verification/extent.ts';
import { nationalBox, provinceBoxes, provinceCodeOf, regionBoxFor } from '#shared/reference/regions.ts';
import { cgcs2000Ellipsoid, gaussKruger, tmForward, tmInverse, type TransverseMercator } from '#shared/verification/transverse-mercator.ts';

const metresPerDegreeLat = 110_574;

describe('R7.1 Gauss–Krüger projection on the CGCS2000 ellipsoid (for extents in projected CRSs)', () => {
  it('round-trips points across a 6° zone to well within 1 m', () => {
    const zone = gaussKruger(111, 19_500_000);
    let worst = 0;
    for (let lat = 18; lat <= 53; lat += 5) {
      for (let dLon = -3; dLon <= 3; dLon += 0.75) {
        const { easting, northing } = tmForward(zone, 111 + dLon, lat);
        const back = tmInverse(zone, easting, northing);
        const dx = (back.lon - (111 + dLon)) * metresPerDegreeLat * Math.cos((lat * Math.PI) / 180);
        const dy = (back.lat - lat) * metresPerDegreeLat;
        worst = Math.max(worst, Math.hypot(dx, dy));
      }
    }

    expect(worst).toBeLessThan(0.001);
  });

  it('matches the EPSG Guidance Note 7-2 worked example for Transverse Mercator (OSGB 1936 / British National Grid)', () => {
    // IOGP Publication 373-7-2, method EPSG 9807: φ 50°30'N, λ 0°30'E → E 577274.99 m, N 69740.50 m.
    const bng: TransverseMercator = {
      ellipsoid: { a: 6377563.396, f: 1 / 299.3249646 },
      centralMeridian: -2,
      latitudeOfOrigin: 49,
      scale: 0.9996012717,
      falseEasting: 400_000,
      falseNorthing: -100_000,
    };

    const p = tmForward(bng, 0.5, 50.5);
    const back = tmInverse(bng, 577274.99, 69740.5);

    expect(Math.abs(p.easting - 577274.99)).toBeLessThan(0.02);
    expect(Math.abs(p.northing - 69740.5)).toBeLessThan(0.02);
    expect(back.lon).toBeCloseTo(0.5, 6);
    expect(back.lat).toBeCloseTo(50.5, 6);
  });

  it('matches PROJ for CGCS2000 3-degree Gauss–Krüger zone 38 (EPSG:4526) at 从化区', () => {
    // `echo "23.6 113.5" | cs2cs -d 4 EPSG:4490 EPSG:4526` (PROJ 9.1.1): 2611075.6641 38448967.6554
    const zone38 = gaussKruger(114, 38_500_000);

    const p = tmForward(zone38, 113.5, 23.6);
    const back = tmInverse(zone38, 38448967.6554, 2611075.6641);

    expect(Math.abs(p.easting - 38448967.6554)).toBeLessThan(0.001);
    expect(Math.abs(p.northing - 2611075.6641)).toBeLessThan(0.001);
    expect(Math.abs(back.lon - 113.5) * 102_000).toBeLessThan(0.01);
    expect(Math.abs(back.lat - 23.6) * metresPerDegreeLat).toBeLessThan(0.01);
  });

  it('matches PROJ for the CM 87E zone without prefix (EPSG:4538) at 乌鲁木齐', () => {
    // `echo "43.8 87.6" | cs2cs -d 4 EPSG:4490 EPSG:4538`: 4851775.3027 548285.1151
    const p = tmForward(gaussKruger(87, 500_000), 87.6, 43.8);

    expect(Math.abs(p.easting - 548285.1151)).toBeLessThan(0.001);
    expect(Math.abs(p.northing - 4851775.3027)).toBeLessThan(0.001);
  });

  it('uses the CGCS2000 ellipsoid', () => {
    expect(cgcs2000Ellipsoid).toEqual({ a: 6378137, f: 1 / 298.257222101 });
  });
});

describe('R7.1 extent inside the declared region (approximate provincial boxes)', () => {
  const capitals: Record<string, [number, number]> = {
    '110000': [116.4, 39.9], '120000': [117.2, 39.08], '130000': [114.51, 38.04], '140000': [112.55, 37.87],
    '150000': [111.75, 40.84], '210000': [123.43, 41.8], '220000': [125.32, 43.82], '230000': [126.53, 45.8],
    '310000': [121.47, 31.23], '320000': [118.8, 32.06], '330000': [120.16, 30.27], '340000': [117.23, 31.82],
    '350000': [119.3, 26.08], '360000': [115.86, 28.68], '370000': [117.0, 36.65], '410000': [113.63, 34.75],
    '420000': [114.31, 30.59], '430000': [112.94, 28.23], '440000': [113.26, 23.13], '450000': [108.37, 22.82],
    '460000': [110.35, 20.02], '500000': [106.55, 29.56], '510000': [104.07, 30.57], '520000': [106.63, 26.65],
    '530000': [102.83, 24.88], '540000': [91.13, 29.65], '610000': [108.94, 34.34], '620000': [103.83, 36.06],
    '630000': [101.78, 36.62], '640000': [106.23, 38.49], '650000': [87.62, 43.83], '710000': [121.56, 25.04],
    '810000': [114.17, 22.32], '820000': [113.54, 22.19],
  };

  it('has a box for each of the 34 provincial-level divisions, each holding its capital and inside the national box', () => {
    expect(provinceBoxes.map((b) => b.code).sort()).toEqual(Object.keys(capitals).sort());
    for (const b of provinceBoxes) {
      const [lon, lat] = capitals[b.code]!;
      const [w, s, e, n] = b.bbox;
      expect(lon >= w && lon <= e && lat >= s && lat <= n, b.name).toBe(true);
      expect(w >= nationalBox.bbox[0] && e <= nationalBox.bbox[2] && s >= nationalBox.bbox[1] && n <= nationalBox.bbox[3], b.name).toBe(true);
    }
  });

  it('maps city and county codes to their province', () => {
    expect(provinceCodeOf('440117')).toBe('440000');
    expect(regionBoxFor('440117')!.name).toBe('广东省');
    expect(regionBoxFor('440100')!.name).toBe('广东省');
    expect(regionBoxFor('650102')!.name).toBe('新疆维吾尔自治区');
    expect(regionBoxFor('110105')!.name).toBe('北京市');
    expect(regionBoxFor('100000')).toEqual({ ...nationalBox, level: 'national' });
    expect(regionBoxFor('990000')).toBeUndefined();
    expect(regionBoxFor('44011')).toBeUndefined();
  });

  it('places a Gauss–Krüger box in lon/lat and accepts it inside 广东省', () => {
    const crs = cgcs2000ByEpsg(4526)!;
    const bbox = [38448000, 2610000, 38452000, 2614000] as const;

    const result = checkExtent({ file: 'a.tif', bbox, crs, region: regionBoxFor('440000')!, severity: 'error' });

    expect(result.defects).toEqual([]);
    expect(result.lonLat![0]).toBeCloseTo(113.49, 2);
    expect(result.lonLat![1]).toBeCloseTo(23.59, 2);
  });

  it('flags data partly over the padded provincial box', () => {
    const crs = cgcs2000ByEpsg(4490)!;

    const result = checkExtent({ file: 'a.shp', bbox: [117.0, 23.0, 118.0, 24.0], crs, region: regionBoxFor('440000')!, severity: 'error' });

    expect(result.defects).toEqual([expect.objectContaining({ rule: 'extent.outside-region', message: expect.stringContaining('部分超出') })]);
  });

  it('flags projected coordinates declared as geographic', () => {
    const result = lonLatBbox([38448000, 2610000, 38452000, 2614000], cgcs2000ByEpsg(4490)!);

    expect(result).toEqual({ reason: expect.stringContaining('不是经纬度') });
  });

  it('flags eastings without the zone prefix under a CRS that has one', () => {
    const result = checkExtent({ file: 'a.tif', bbox: [448000, 2610000, 452000, 2614000], crs: cgcs2000ByEpsg(4526)!, region: regionBoxFor('440000')!, severity: 'error' });

    expect(result.defects).toEqual([expect.objectContaining({ rule: 'extent.outside-region', message: expect.stringContaining('带号或东偏移') })]);
  });
});
