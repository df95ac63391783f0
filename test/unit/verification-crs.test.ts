import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { bytesSource, TalliedSource } from '#shared/verification/byte-source.ts';
import { cgcs2000ByEpsg, classifyGeoKeys, classifyWkt, crsLabel, geoKey } from '#shared/verification/crs.ts';
import { readGeoPackage } from '#shared/verification/geopackage.ts';
import { readTiff } from '#shared/verification/geotiff.ts';
import { parseCreateTable, SqliteReader } from '#shared/verification/sqlite-reader.ts';
import { WktSyntaxError } from '#shared/verification/wkt.ts';
import { fixtureBytes, fixturePath } from '../fixtures/packages/load.ts';

async function prj(name: string): Promise<string> {
  return new TextDecoder().decode(await fixtureBytes(`./formats/crs/${name}.prj`));
}

describe('R7.1 coordinate system: CGCS2000 (EPSG:4490) and its Gauss–Krüger zones (EPSG:4491–4554)', () => {
  it.each([
    ['esri-4490', { family: 'cgcs2000', kind: 'geographic', epsg: 4490 }],
    ['ogc-4490', { family: 'cgcs2000', kind: 'geographic', epsg: 4490 }],
    ['esri-4526', { kind: 'gauss-kruger', epsg: 4526, centralMeridian: 114, falseEasting: 38_500_000, zoneWidth: 3, zone: 38 }],
    ['ogc-4526', { kind: 'gauss-kruger', epsg: 4526, centralMeridian: 114, zoneWidth: 3, zone: 38 }],
    ['esri-4547', { kind: 'gauss-kruger', epsg: 4547, centralMeridian: 114, falseEasting: 500_000, zoneWidth: 3, zone: null }],
    ['wkt2-4547', { kind: 'gauss-kruger', epsg: 4547, centralMeridian: 114, zoneWidth: 3 }],
    ['esri-4497', { kind: 'gauss-kruger', epsg: 4497, centralMeridian: 111, falseEasting: 19_500_000, zoneWidth: 6, zone: 19 }],
    ['esri-4508', { kind: 'gauss-kruger', epsg: 4508, centralMeridian: 111, zoneWidth: 6, zone: null }],
    ['esri-4538', { kind: 'gauss-kruger', epsg: 4538, centralMeridian: 87, zoneWidth: 3 }],
  ])('accepts the .prj GDAL writes for %s', async (name, expected) => {
    const crs = classifyWkt(await prj(name));

    expect(crs).toMatchObject({ family: 'cgcs2000', ...expected });
  });

  it.each([
    ['esri-4326', /WGS_1984/],
    ['esri-4214', /Beijing_1954/],
    ['esri-4610', /Xian_1980/],
    ['esri-32650', /WGS_1984/],
  ])('rejects %s as not CGCS2000 and says why', async (name, datum) => {
    const crs = classifyWkt(await prj(name));

    expect(crs.family).toBe('other');
    expect(crs.family === 'other' && crs.reason).toMatch(datum);
  });

  it('tells CGCS2000 from ETRS89 although both use the GRS 80 ellipsoid shape', () => {
    const etrs89 = 'GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]';

    expect(classifyWkt(etrs89).family).toBe('other');
  });

  it('rejects a Transverse Mercator on CGCS2000 that is not a Gauss–Krüger zone', () => {
    const wkt = (cm: number, fe: number, k = 1) =>
      `PROJCS["x",GEOGCS["CGCS2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",${cm}],PARAMETER["scale_factor",${k}],PARAMETER["false_easting",${fe}],PARAMETER["false_northing",0],UNIT["metre",1]]`;

    expect(classifyWkt(wkt(114, 500000)).family).toBe('cgcs2000');
    expect(classifyWkt(wkt(114, 500000, 0.9996)).family).toBe('other');
    expect(classifyWkt(wkt(113.5, 500000)).family).toBe('other');
    expect(classifyWkt(wkt(114, 39_500_000)).family).toBe('other');
  });

  it('reads the horizontal part of a compound CGCS2000 + height system', () => {
    const wkt = 'COMPD_CS["CGCS2000 + Yellow Sea 1985 height",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],VERT_CS["Yellow Sea 1985 height",VERT_DATUM["Yellow Sea 1985",2005],UNIT["metre",1]]]';

    expect(classifyWkt(wkt)).toMatchObject({ family: 'cgcs2000', kind: 'geographic' });
  });

  it('throws on WKT it cannot parse', () => {
    expect(() => classifyWkt('GEOGCS["x",DATUM["y"')).toThrow(WktSyntaxError);
  });

  it('maps every EPSG code of the family to its zone and central meridian', () => {
    const codes = Array.from({ length: 4554 - 4490 + 1 }, (_, i) => 4490 + i);

    const members = codes.map((c) => cgcs2000ByEpsg(c));

    expect(members.every((m) => m !== null)).toBe(true);
    expect(cgcs2000ByEpsg(4491)).toMatchObject({ zone: 13, centralMeridian: 75, falseEasting: 13_500_000, zoneWidth: 6 });
    expect(cgcs2000ByEpsg(4501)).toMatchObject({ zone: 23, centralMeridian: 135 });
    expect(cgcs2000ByEpsg(4512)).toMatchObject({ zone: null, centralMeridian: 135, falseEasting: 500_000, zoneWidth: 6 });
    expect(cgcs2000ByEpsg(4513)).toMatchObject({ zone: 25, centralMeridian: 75, zoneWidth: 3 });
    expect(cgcs2000ByEpsg(4554)).toMatchObject({ zone: null, centralMeridian: 135, zoneWidth: 3 });
    expect(cgcs2000ByEpsg(4326)).toBeNull();
    expect(cgcs2000ByEpsg(4555)).toBeNull();
  });

  it('describes a CRS in Chinese for the report', () => {
    expect(crsLabel(cgcs2000ByEpsg(4526)!)).toBe('CGCS2000 高斯-克吕格投影 3°分带 第 38 带（中央经线 114°E，EPSG:4526）');
  });
});

describe('R7.1 GeoTIFF: the IFD and GeoKeyDirectory, never the pixels', () => {
  it('reads the EPSG code and the model-space extent of a classic little-endian GeoTIFF', async () => {
    const tiff = await readTiff(bytesSource(await fixtureBytes('./valid/maps/overview.tif')));

    expect(tiff).toMatchObject({ bigTiff: false, littleEndian: true, width: 8, height: 8, truncated: null });
    expect(tiff.geoKeys!.get(geoKey.ProjectedCSType)).toBe(4526);
    expect(classifyGeoKeys(tiff.geoKeys!)).toMatchObject({ epsg: 4526, zone: 38 });
    const [x0, y0, x1, y1] = tiff.bbox!;
    expect([x1 - x0, y1 - y0]).toEqual([800, 800]);
    expect(Math.floor(x0 / 1e6)).toBe(38);
  });

  it('reads a BigTIFF', async () => {
    const tiff = await readTiff(bytesSource(await fixtureBytes('./formats/bigtiff-4547.tif')));

    expect(tiff.bigTiff).toBe(true);
    expect(classifyGeoKeys(tiff.geoKeys!)).toMatchObject({ epsg: 4547, centralMeridian: 114, falseEasting: 500_000 });
  });

  it('reads a big-endian GeoTIFF in geographic CGCS2000', async () => {
    const tiff = await readTiff(bytesSource(await fixtureBytes('./formats/big-endian-4490.tif')));

    expect(tiff.littleEndian).toBe(false);
    expect(classifyGeoKeys(tiff.geoKeys!)).toMatchObject({ kind: 'geographic', epsg: 4490 });
    expect(tiff.bbox).toEqual([113.5, 23.6, 113.54, 23.64]);
  });

  it('finds no GeoKeys in a plain TIFF', async () => {
    const tiff = await readTiff(bytesSource(await fixtureBytes('./formats/plain.tif')));

    expect(tiff.geoKeys).toBeNull();
  });

  it('classifies a user-defined Transverse Mercator on the China 2000 datum by its parameters', () => {
    const keys = new Map<number, number | string>([
      [geoKey.GTModelType, 1],
      [geoKey.ProjectedCSType, 32767],
      [geoKey.GeogGeodeticDatum, 1043],
      [geoKey.ProjCoordTrans, 1],
      [geoKey.ProjNatOriginLong, 117],
      [geoKey.ProjFalseEasting, 39_500_000],
      [geoKey.ProjScaleAtNatOrigin, 1],
    ]);

    expect(classifyGeoKeys(keys)).toMatchObject({ family: 'cgcs2000', zone: 39, zoneWidth: 3, epsg: 4527 });
  });

  it('rejects a projected WGS 84 (UTM) GeoTIFF', () => {
    const keys = new Map<number, number>([
      [geoKey.GTModelType, 1],
      [geoKey.ProjectedCSType, 32650],
    ]);

    expect(classifyGeoKeys(keys)).toMatchObject({ family: 'other', epsg: 32650 });
  });

  it('finds a GeoTIFF whose last strip lies beyond the end of the file truncated', async () => {
    const tif = await fixtureBytes('./valid/maps/overview.tif');

    const tiff = await readTiff(bytesSource(tif.slice(0, tif.byteLength - 100)));

    expect(tiff.truncated).toMatch(/最后一个图像数据块/);
  });
});

describe('R7.1 GeoPackage: gpkg_contents and gpkg_spatial_ref_sys through ranged page reads', () => {
  const gpkgPath = fixturePath('./valid/data/landuse.gpkg');

  it('reads the same gpkg_contents and SRS rows as SQLite itself (node:sqlite)', async () => {
    const db = new DatabaseSync(gpkgPath, { readOnly: true });
    const expectedContents = db.prepare('SELECT table_name, data_type, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents ORDER BY rowid').all();
    const expectedSrs = db.prepare('SELECT srs_id, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys ORDER BY srs_id').all();
    db.close();

    const reader = await SqliteReader.open(bytesSource(await fixtureBytes('./valid/data/landuse.gpkg')));
    const contents = await reader.readTable('gpkg_contents', ['table_name', 'data_type', 'min_x', 'min_y', 'max_x', 'max_y', 'srs_id']);
    const srs = await reader.readTable('gpkg_spatial_ref_sys', ['srs_id', 'organization', 'organization_coordsys_id', 'definition']);

    expect(contents).toEqual(expectedContents.map((r) => ({ ...r })));
    expect([...srs!].sort((a, b) => Number(a.srs_id) - Number(b.srs_id))).toEqual(expectedSrs.map((r) => ({ ...r })));
  });

  it('walks the whole multi-page schema b-tree, overflow pages included, as SQLite does', async () => {
    const db = new DatabaseSync(gpkgPath, { readOnly: true });
    const expected = db.prepare('SELECT name, sql FROM sqlite_master ORDER BY rowid').all();
    db.close();

    const reader = await SqliteReader.open(bytesSource(await fixtureBytes('./valid/data/landuse.gpkg')));
    const rows = [];
    for await (const row of reader.schema()) rows.push({ name: row.name, sql: (await row.sql()) || null });

    expect(rows).toEqual(expected.map((r) => ({ name: r.name, sql: r.sql })));
    expect((await reader.page(1))[100]).toBe(0x05); // an interior page: the schema spans several pages
    const largestRecord = Math.max(...rows.map((r) => (r.sql ?? '').length + 2 * r.name.length));
    expect(largestRecord).toBeGreaterThan(reader.header.usableSize - 35); // beyond this SQLite spills to overflow pages
  });

  it('reads the layer, its CGCS2000 SRS and bbox from a few pages only', async () => {
    const source = new TalliedSource(bytesSource(await fixtureBytes('./valid/data/landuse.gpkg')));

    const info = await readGeoPackage(source);

    expect(info.applicationId).toBe('GPKG');
    expect(info.contents).toEqual([
      { tableName: 'dltb', dataType: 'features', srsId: 4490, bbox: [113.5, 23.6, 113.545, 23.64], crs: expect.objectContaining({ family: 'cgcs2000', epsg: 4490 }) },
    ]);
    expect(source.tally.headerBytes).toBeLessThan(await source.size());
  });

  it('reads the WGS 84 SRS of the broken package as not CGCS2000', async () => {
    const info = await readGeoPackage(bytesSource(await fixtureBytes('./wgs84-crs/data/landuse.gpkg')));

    expect(info.contents[0]!.crs).toMatchObject({ family: 'other', epsg: 4326 });
  });

  it('takes column names from CREATE TABLE and spots the rowid alias', () => {
    const columns = parseCreateTable('CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,organization TEXT NOT NULL, "definition" TEXT, CONSTRAINT x UNIQUE (srs_name))');

    expect(columns).toEqual([
      { name: 'srs_name', rowidAlias: false },
      { name: 'srs_id', rowidAlias: true },
      { name: 'organization', rowidAlias: false },
      { name: 'definition', rowidAlias: false },
    ]);
  });
});
