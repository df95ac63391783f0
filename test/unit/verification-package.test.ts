import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { bytesSource, type PackageFile } from '#shared/verification/byte-source.ts';
import type { Rule } from '#shared/verification/defects.ts';
import { assembleReport, planUnits, verifyPackage, verifyUnit, type ManifestEntry } from '#shared/verification/verify-package.ts';
import { fixtureBytes, loadPackage, type PackageName } from '../fixtures/packages/load.ts';
import { largePackage } from '../fixtures/packages/large.ts';

const fixedNow = () => new Date('2024-07-01T08:00:00.000Z');

async function verifyFixture(name: PackageName, options: { storeChecksums?: boolean } = {}) {
  const pkg = await loadPackage(name, options);
  return verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode, now: fixedNow });
}

describe('R7.1 automated technical verification of the GDAL-made fixture packages', () => {
  it('passes the valid CGCS2000 package with no errors and no warnings', async () => {
    const report = await verifyFixture('valid');

    expect(report.defects).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checkedAt).toBe('2024-07-01T08:00:00.000Z');
    expect(report.region).toEqual({ code: '440000', name: '广东省' });
  });

  it('recognises every file of the valid package by content and places its CRS and extent', async () => {
    const report = await verifyFixture('valid');
    const byPath = new Map(report.files.map((f) => [f.path, f]));

    expect(Object.fromEntries(report.files.map((f) => [f.path, f.format]))).toEqual({
      'data/landuse.gpkg': 'geopackage',
      'data/parcels.cpg': 'text',
      'data/parcels.dbf': 'dbf',
      'data/parcels.prj': 'prj',
      'data/parcels.shp': 'shapefile-shp',
      'data/parcels.shx': 'shapefile-shx',
      'maps/overview.tif': 'geotiff',
      'metadata/metadata.xml': 'xml',
      'report/survey-report.pdf': 'pdf',
    });
    expect(byPath.get('data/parcels.shp')!.crs).toMatchObject({ family: 'cgcs2000', kind: 'geographic', epsg: 4490 });
    expect(byPath.get('data/parcels.shp')!.extent).toEqual([113.5, 23.6, 113.545, 23.64]);
    expect(byPath.get('maps/overview.tif')!.crs).toMatchObject({ kind: 'gauss-kruger', epsg: 4526, centralMeridian: 114, zone: 38 });
    const tifExtent = byPath.get('maps/overview.tif')!.extent!;
    expect(tifExtent[0]).toBeCloseTo(113.4992, 3);
    expect(tifExtent[3]).toBeCloseTo(23.64, 2);
    expect(byPath.get('data/landuse.gpkg')!.layers).toEqual([
      { name: 'dltb', crs: expect.objectContaining({ epsg: 4490 }), extent: [113.5, 23.6, 113.545, 23.64] },
    ]);
  });

  it.each<[PackageName, Rule, number]>([
    ['wgs84-crs', 'crs.not-cgcs2000', 3],
    ['missing-dbf', 'shapefile.missing-dbf', 1],
    ['truncated-shp', 'format.truncated', 1],
    ['outside-region', 'extent.outside-region', 3],
    ['missing-report', 'profile.missing-role', 1],
    ['extra-file', 'manifest.extra-file', 1],
    ['wrong-checksum', 'manifest.checksum-mismatch', 1],
  ])('fails %s with exactly the rule %s (%i defects)', async (name, rule, count) => {
    const report = await verifyFixture(name);

    expect(report.passed).toBe(false);
    expect(report.defects.map((d) => d.rule)).toEqual(Array(count).fill(rule));
    expect(report.defects.every((d) => d.severity === 'error')).toBe(true);
  });

  it('names the file each defect is about', async () => {
    const wgs84 = await verifyFixture('wgs84-crs');
    const missing = await verifyFixture('missing-dbf');
    const truncated = await verifyFixture('truncated-shp');
    const extra = await verifyFixture('extra-file');
    const checksum = await verifyFixture('wrong-checksum');
    const report = await verifyFixture('missing-report');

    expect(wgs84.defects.map((d) => d.file)).toEqual(['data/landuse.gpkg', 'data/parcels.prj', 'maps/overview.tif']);
    expect(missing.defects[0]!.file).toBe('data/parcels.shp');
    expect(truncated.defects[0]).toMatchObject({ file: 'data/parcels.shp', message: expect.stringContaining('524') });
    expect(extra.defects[0]!.file).toBe('data/notes.txt');
    expect(checksum.defects[0]!.file).toBe('data/parcels.dbf');
    expect(report.defects[0]).toMatchObject({ file: '', message: expect.stringContaining('报告') });
  });

  it('gives Chinese, actionable messages', async () => {
    const report = await verifyFixture('outside-region');

    for (const d of report.defects) {
      expect(d.message).toMatch(/[\u4e00-\u9fff]/);
      expect(d.message).toContain('广东省');
      expect(d.message).toContain('请核对');
    }
  });
});

describe('R7.1 checksums: the store’s checksum where it has one, else streamed, and the report says which', () => {
  it('streams and hashes every file when the store has no checksums', async () => {
    const report = await verifyFixture('valid');

    expect(report.files.every((f) => f.checksumSource === 'streamed')).toBe(true);
    expect(report.streamedBytes).toBe(report.packageBytes);
    expect(report.summary).toMatchObject({ checksumsStreamed: 9, checksumsFromStore: 0 });
  });

  it('uses the stored checksums and streams nothing when the store has them', async () => {
    const report = await verifyFixture('valid', { storeChecksums: true });

    expect(report.passed).toBe(true);
    expect(report.files.every((f) => f.checksumSource === 'store')).toBe(true);
    expect(report.streamedBytes).toBe(0);
    expect(report.summary).toMatchObject({ checksumsStreamed: 0, checksumsFromStore: 9 });
  });

  it('finds the wrong manifest checksum from the stored checksum too', async () => {
    const report = await verifyFixture('wrong-checksum', { storeChecksums: true });

    expect(report.defects).toEqual([expect.objectContaining({ file: 'data/parcels.dbf', rule: 'manifest.checksum-mismatch', message: expect.stringContaining('存储服务记录') })]);
  });

  it('accepts a stored checksum in S3’s base64 form', async () => {
    const bytes = await fixtureBytes('./valid/report/survey-report.pdf');
    const pkg = await loadPackage('valid');
    const entry = pkg.manifest.find((e) => e.path === 'report/survey-report.pdf')!;
    pkg.files.set(entry.path, bytesSource(bytes, Buffer.from(entry.sha256, 'hex').toString('base64')));

    const report = await verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode });

    expect(report.passed).toBe(true);
    expect(report.files.find((f) => f.path === entry.path)!.checksumSource).toBe('store');
  });

  it('reports a size that differs from the manifest without hashing the file', async () => {
    const pkg = await loadPackage('valid');
    const manifest = pkg.manifest.map((e) => (e.path === 'metadata/metadata.xml' ? { ...e, size: e.size + 1 } : e));

    const report = await verifyPackage({ manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode });

    expect(report.defects.map((d) => [d.file, d.rule])).toEqual([['metadata/metadata.xml', 'manifest.size-mismatch']]);
    expect(report.files.find((f) => f.path === 'metadata/metadata.xml')!.checksumSource).toBeNull();
  });
});

describe('R7.1 completeness: every manifest file present, no extra ones', () => {
  it('reports a listed file that was never uploaded', async () => {
    const pkg = await loadPackage('valid');
    pkg.files.delete('metadata/metadata.xml');

    const report = await verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode });

    expect(report.defects.map((d) => [d.file, d.rule])).toEqual([['metadata/metadata.xml', 'manifest.missing-file']]);
  });

  it('reports a path listed twice', async () => {
    const pkg = await loadPackage('valid');
    const manifest = [...pkg.manifest, pkg.manifest[0]!];

    const report = await verifyPackage({ manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode });

    expect(report.defects.map((d) => d.rule)).toEqual(['manifest.duplicate-entry']);
  });
});

describe('R7.1 checks read headers, not whole files (except the streamed checksum)', () => {
  it('reads at most 64 KiB of headers per file of the valid package', async () => {
    const report = await verifyFixture('valid', { storeChecksums: true });

    for (const f of report.files) expect(f.reads.headerBytes, f.path).toBeLessThanOrEqual(64 * 1024);
    expect(report.bytesRead).toBe(report.headerBytesRead);
    expect(report.headerBytesRead).toBeLessThan(report.packageBytes);
  });

  it('verifies a 3 GiB package by reading a few KiB of it', async () => {
    const pkg = await largePackage();

    const report = await verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: 'landSurvey', regionCode: '440117' });

    expect(report.defects).toEqual([]);
    expect(report.packageBytes).toBeGreaterThan(3 * 1024 ** 3);
    expect(report.streamedBytes).toBe(0);
    for (const f of report.files) expect(f.reads.headerBytes, f.path).toBeLessThanOrEqual(64 * 1024);
    expect(report.bytesRead / report.packageBytes).toBeLessThan(1e-4);
    expect(report.files.find((f) => f.path === 'data/big.shp')).toMatchObject({ format: 'shapefile-shp', extent: [113.5, 23.6, 113.545, 23.64] });
  });
});

describe('R7.1 Map-state batching: units verified separately assemble into the same report', () => {
  it('keeps each shapefile set in one unit', async () => {
    const pkg = await loadPackage('valid');

    const units = planUnits(pkg.files.keys());

    expect(units).toContainEqual(['data/parcels.cpg', 'data/parcels.dbf', 'data/parcels.prj', 'data/parcels.shp', 'data/parcels.shx']);
    expect(units).toHaveLength(5);
  });

  it('gives the same verdict and defects as verifyPackage when each unit sees only its own files', async () => {
    const pkg = await loadPackage('outside-region');
    const whole = await verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: pkg.regionCode, now: fixedNow });

    const units = [];
    for (const paths of planUnits(pkg.files.keys())) {
      const own = new Map(paths.map((p) => [p, pkg.files.get(p)!]));
      units.push(await verifyUnit({ paths, manifest: pkg.manifest, files: own, theme: pkg.theme, regionCode: pkg.regionCode }));
    }
    const assembled = assembleReport({ manifest: pkg.manifest, presentPaths: [...pkg.files.keys()], theme: pkg.theme, regionCode: pkg.regionCode, units, checkedAt: fixedNow() });

    expect(assembled.defects).toEqual(whole.defects);
    expect(assembled.passed).toBe(whole.passed);
    expect(assembled.files.map((f) => f.path)).toEqual(whole.files.map((f) => f.path));
  });
});

describe('R7.1 input the verifier refuses', () => {
  it('refuses an unknown region code', async () => {
    const pkg = await loadPackage('valid');

    await expect(verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: '990000' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('accepts a county code and checks against its province', async () => {
    const pkg = await loadPackage('valid', { storeChecksums: true });

    const report = await verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: pkg.theme, regionCode: '440117' });

    expect(report.passed).toBe(true);
    expect(report.region.code).toBe('440000');
  });

  it('refuses an unknown theme', async () => {
    const pkg = await loadPackage('valid');

    await expect(verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: 'tourism' as never, regionCode: '440000' })).rejects.toBeInstanceOf(ValidationError);
  });
});

