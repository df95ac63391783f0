import { describe, expect, it } from 'vitest';
import { bytesSource, TalliedSource } from '#shared/verification/byte-source.ts';
import { detectFormat } from '#shared/verification/formats.ts';
import { checkDbf, checkShapefileSet, shapefileSets, type ShapefileSet } from '#shared/verification/shapefile.ts';
import { fixtureBytes } from '../fixtures/packages/load.ts';

async function detect(relative: string, asPath = relative) {
  return detectFormat(bytesSource(await fixtureBytes(relative)), asPath);
}

describe('R7.1 format by content, not extension', () => {
  it.each([
    ['./valid/data/parcels.shp', 'shapefile-shp'],
    ['./valid/data/parcels.shx', 'shapefile-shx'],
    ['./valid/data/parcels.dbf', 'dbf'],
    ['./valid/data/parcels.prj', 'prj'],
    ['./valid/data/parcels.cpg', 'text'],
    ['./valid/data/landuse.gpkg', 'geopackage'],
    ['./valid/maps/overview.tif', 'geotiff'],
    ['./valid/report/survey-report.pdf', 'pdf'],
    ['./valid/metadata/metadata.xml', 'xml'],
    ['./formats/plain.tif', 'tiff'],
    ['./formats/bigtiff-4547.tif', 'geotiff'],
    ['./formats/big-endian-4490.tif', 'geotiff'],
    ['./formats/attributes.xlsx', 'xlsx'],
    ['./formats/design.docx', 'docx'],
    ['./formats/parcels.csv', 'csv'],
  ])('recognises %s as %s', async (path, format) => {
    const found = await detect(path);

    expect(found.format).toBe(format);
    expect(found.defects).toEqual([]);
  });

  it('recognises legacy Office (OLE2) files as .doc or .xls', async () => {
    const ole2 = new Uint8Array(1024);
    ole2.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

    const asDoc = await detectFormat(bytesSource(ole2), 'docs/设计书.doc');
    const asXls = await detectFormat(bytesSource(ole2), 'docs/统计表.xls');

    expect([asDoc.format, asXls.format]).toEqual(['ole2', 'ole2']);
    expect([...asDoc.defects, ...asXls.defects]).toEqual([]);
  });

  it('recognises JPEG and PNG map images', async () => {
    const jpeg = await detectFormat(bytesSource(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16])), 'maps/a.jpg');
    const png = await detectFormat(bytesSource(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'maps/a.png');

    expect([jpeg.format, png.format]).toEqual(['jpeg', 'png']);
  });

  it('names an extension that disagrees with the content', async () => {
    const pdfAsDocx = await detect('./valid/report/survey-report.pdf', 'report/survey-report.docx');
    const shpAsDbf = await detect('./valid/data/parcels.shp', 'data/parcels.dbf');

    expect(pdfAsDocx.defects).toEqual([expect.objectContaining({ file: 'report/survey-report.docx', rule: 'format.extension-mismatch', severity: 'error', message: expect.stringContaining('PDF') })]);
    expect(shpAsDbf.defects.map((d) => d.rule)).toEqual(['format.extension-mismatch']);
  });

  it('reports content it cannot recognise under a promising extension', async () => {
    const noise = Uint8Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256);

    const found = await detectFormat(bytesSource(noise), 'data/landuse.gpkg');

    expect(found.format).toBe('unknown');
    expect(found.defects.map((d) => d.rule)).toEqual(['format.unrecognised']);
  });

  it('reports an empty file', async () => {
    const found = await detectFormat(bytesSource(new Uint8Array(0)), 'report/a.pdf');

    expect(found.defects.map((d) => d.rule)).toEqual(['format.empty']);
  });

  it('finds a PDF without its %%EOF trailer truncated', async () => {
    const pdf = await fixtureBytes('./valid/report/survey-report.pdf');

    const found = await detectFormat(bytesSource(pdf.slice(0, pdf.byteLength - 120)), 'report/a.pdf');

    expect(found.format).toBe('pdf');
    expect(found.defects.map((d) => d.rule)).toEqual(['format.truncated']);
  });

  it('finds a DOCX cut short (no ZIP central directory) truncated', async () => {
    const docx = await fixtureBytes('./formats/design.docx');

    const found = await detectFormat(bytesSource(docx.slice(0, 500)), 'docs/design.docx');

    expect(found.defects.map((d) => d.rule)).toEqual(['format.truncated', 'format.extension-mismatch']);
  });

  it('finds a GeoPackage shorter than its header says truncated', async () => {
    const gpkg = await fixtureBytes('./valid/data/landuse.gpkg');

    const found = await detectFormat(bytesSource(gpkg.slice(0, 8192)), 'data/landuse.gpkg');

    expect(found.format).toBe('geopackage');
    expect(found.defects.map((d) => d.rule)).toEqual(['format.truncated']);
  });

  it('reads GB18030 (GBK) text as text and says so', async () => {
    const gbk = new Uint8Array([0xb5, 0xd8, 0xc0, 0xe0, 0x2c, 0xc3, 0xe6, 0xbb, 0xfd, 0x0a, 0xcb, 0xae, 0xcc, 0xef, 0x2c, 0x31, 0x32, 0x0a]); // 地类,面积 / 水田,12

    const found = await detectFormat(bytesSource(gbk), 'metadata/统计.csv');

    expect(found).toMatchObject({ format: 'csv', encoding: 'gb18030', defects: [] });
  });

  it('reads the head of a file once for all detectors', async () => {
    const source = new TalliedSource(bytesSource(await fixtureBytes('./valid/data/parcels.shp')));

    await detectFormat(source, 'data/parcels.shp');
    await detectFormat(source, 'data/parcels.shp');

    expect(source.tally).toEqual({ requests: 1, headerBytes: 524, streamedBytes: 0 });
  });
});

describe('R7.1 shapefile sets: .shp with .shx, .dbf and .prj of the same basename, consistent headers', () => {
  const names = ['parcels.shp', 'parcels.shx', 'parcels.dbf', 'parcels.prj', 'parcels.cpg'];

  async function setOf(replace: Record<string, Uint8Array | null> = {}) {
    const bytes = new Map<string, Uint8Array>();
    for (const n of names) {
      const own = replace[n];
      if (own === null) continue;
      bytes.set(`data/${n}`, own ?? (await fixtureBytes(`./valid/data/${n}`)));
    }
    const sources = new Map([...bytes].map(([p, b]) => [p, bytesSource(b)]));
    const formats = new Map<string, string>();
    for (const [p, s] of sources) formats.set(p, (await detectFormat(s, p)).format);
    const [set] = shapefileSets(sources.keys());
    return checkShapefileSet(set as ShapefileSet, (p) => sources.get(p)!, (p) => formats.get(p) as never);
  }

  it('accepts the fixture set and reads its shape type, record count, bbox and CRS', async () => {
    const result = await setOf();

    expect(result.defects).toEqual([]);
    expect(result).toMatchObject({ shapeType: 5, records: 3, bbox: [113.5, 23.6, 113.545, 23.64], crs: { epsg: 4490 } });
  });

  it.each([
    ['parcels.shx', 'shapefile.missing-shx'],
    ['parcels.prj', 'shapefile.missing-prj'],
  ])('reports a set without %s', async (missing, rule) => {
    const result = await setOf({ [missing]: null });

    expect(result.defects.map((d) => d.rule)).toEqual([rule]);
  });

  it('warns when neither a .cpg nor the .dbf says how Chinese attributes are encoded', async () => {
    const result = await setOf({ 'parcels.cpg': null });

    expect(result.defects).toEqual([expect.objectContaining({ rule: 'shapefile.missing-cpg', severity: 'warning' })]);
  });

  it('reports a .dbf whose record count differs from the .shx', async () => {
    const dbf = (await fixtureBytes('./valid/data/parcels.dbf')).slice();
    new DataView(dbf.buffer).setUint32(4, 2, true);

    const result = await setOf({ 'parcels.dbf': dbf });

    expect(result.defects).toEqual([expect.objectContaining({ file: 'data/parcels.dbf', rule: 'shapefile.record-count-mismatch' })]);
  });

  it('reports a .shx whose last entry does not end where the .shp ends', async () => {
    const shx = (await fixtureBytes('./valid/data/parcels.shx')).slice();
    const dv = new DataView(shx.buffer);
    dv.setInt32(shx.byteLength - 4, dv.getInt32(shx.byteLength - 4, false) - 8, false);

    const result = await setOf({ 'parcels.shx': shx });

    expect(result.defects.map((d) => d.rule)).toEqual(['shapefile.index-mismatch']);
  });

  it('reports a .shp longer than its header declares', async () => {
    const shp = await fixtureBytes('./valid/data/parcels.shp');
    const longer = new Uint8Array(shp.byteLength + 16);
    longer.set(shp);

    const result = await setOf({ 'parcels.shp': longer });

    expect(result.defects.map((d) => d.rule)).toEqual(['shapefile.length-mismatch']);
  });

  it('reports a .shp header with a wrong version', async () => {
    const shp = (await fixtureBytes('./valid/data/parcels.shp')).slice();
    new DataView(shp.buffer).setInt32(32, 99, true);

    const result = await setOf({ 'parcels.shp': shp });

    expect(result.defects.map((d) => d.rule)).toEqual(['shapefile.bad-header']);
  });

  it('reports a .prj it cannot parse', async () => {
    const result = await setOf({ 'parcels.prj': new TextEncoder().encode('GEOGCS["CGCS2000",DATUM[') });

    expect(result.defects.map((d) => d.rule)).toEqual(['crs.unparseable']);
    expect(result.crs).toBeNull();
  });

  it('reports a .shx without its .shp', async () => {
    const result = await setOf({ 'parcels.shp': null });

    expect(result.defects).toEqual([expect.objectContaining({ file: 'data/parcels.shx', rule: 'shapefile.missing-shp' })]);
  });

  it('groups sidecars by basename, whatever the extension case, and leaves a lone .dbf alone', () => {
    const sets = shapefileSets(['a/Roads.SHP', 'a/Roads.shx', 'a/Roads.dbf', 'a/Roads.shp.xml', 'a/Roads.sbn', 'b/table.dbf']);

    expect(sets).toEqual([{ base: 'a/Roads', shp: 'a/Roads.SHP', shx: 'a/Roads.shx', dbf: 'a/Roads.dbf', others: ['a/Roads.shp.xml', 'a/Roads.sbn'] }]);
  });

  it('finds a .dbf shorter than header + records truncated', async () => {
    const dbf = await fixtureBytes('./valid/data/parcels.dbf');

    const result = await checkDbf('data/parcels.dbf', bytesSource(dbf.slice(0, 200)));

    expect(result.header.records).toBe(3);
    expect(result.defects.map((d) => d.rule)).toEqual(['format.truncated']);
  });
});
