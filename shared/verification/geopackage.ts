import type { ByteSource } from './byte-source.ts';
import { cgcs2000ByEpsg, classifyWkt, type CrsInfo } from './crs.ts';
import type { Bbox } from './extent.ts';
import { applicationIdTag, SqliteReader } from './sqlite-reader.ts';

/**
 * What the verification needs from a GeoPackage (OGC 12-128r18): each content
 * table with its SRS and bounding box (gpkg_contents) and the SRS definitions
 * (gpkg_spatial_ref_sys). Read with ranged reads through SqliteReader.
 */
export interface GeoPackageContent {
  tableName: string;
  dataType: string;
  srsId: number | null;
  bbox: Bbox | null;
  crs: CrsInfo | null;
}

export interface GeoPackageInfo {
  applicationId: string;
  contents: GeoPackageContent[];
  /** Why the file looks cut short, if it does. */
  truncated: string | null;
}

export class GeoPackageError extends Error {}

/** 'GPKG' (1.2+), 'GP10'/'GP11' (1.0/1.1). */
export const GPKG_APPLICATION_IDS = [0x47504b47, 0x47503130, 0x47503131];

export async function readGeoPackage(source: ByteSource): Promise<GeoPackageInfo> {
  const db = await SqliteReader.open(source);
  const expected = db.expectedSize();
  const truncated = expected !== null && db.fileSize < expected ? `文件头记录 ${expected} 字节，实际只有 ${db.fileSize} 字节` : null;
  if (truncated) return { applicationId: applicationIdTag(db.header.applicationId), contents: [], truncated };

  const contents = await db.readTable('gpkg_contents', ['table_name', 'data_type', 'min_x', 'min_y', 'max_x', 'max_y', 'srs_id']);
  if (!contents) throw new GeoPackageError('缺少 gpkg_contents 表');
  const srsRows = (await db.readTable('gpkg_spatial_ref_sys', ['srs_id', 'organization', 'organization_coordsys_id', 'definition'])) ?? [];
  const srsById = new Map(srsRows.map((r) => [Number(r.srs_id), r]));

  const out: GeoPackageContent[] = contents.map((row) => {
    const srsId = typeof row.srs_id === 'number' ? row.srs_id : null;
    const box = [row.min_x, row.min_y, row.max_x, row.max_y];
    const bbox = box.every((v) => typeof v === 'number') ? (box as unknown as Bbox) : null;
    return {
      tableName: String(row.table_name ?? ''),
      dataType: String(row.data_type ?? ''),
      srsId,
      bbox,
      crs: srsId === null ? null : srsOf(srsById.get(srsId), srsId),
    };
  });
  return { applicationId: applicationIdTag(db.header.applicationId), contents: out, truncated: null };
}

/**
 * The SRS row decides: organization EPSG with a code in the CGCS2000 family,
 * otherwise the WKT definition. srs_id 0 and -1 are the spec's "undefined"
 * geographic/Cartesian systems, i.e. no CRS.
 */
function srsOf(row: Record<string, unknown> | undefined, srsId: number): CrsInfo | null {
  if (srsId === 0 || srsId === -1 || !row) return null;
  const org = String(row.organization ?? '').toUpperCase();
  const code = Number(row.organization_coordsys_id);
  if (org === 'EPSG' && Number.isInteger(code)) {
    const known = cgcs2000ByEpsg(code);
    if (known) return known;
  }
  const definition = String(row.definition ?? '');
  if (definition && definition.toLowerCase() !== 'undefined') {
    try {
      return classifyWkt(definition);
    } catch {
      // fall through: the code alone must decide
    }
  }
  return { family: 'other', epsg: org === 'EPSG' ? code : null, name: `${org}:${code}`, reason: `空间参考 ${org}:${code} 不属于 CGCS2000` };
}
