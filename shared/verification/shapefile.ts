import { view, type ByteSource } from './byte-source.ts';
import { classifyWkt, type CrsInfo } from './crs.ts';
import { defect, type Defect } from './defects.ts';
import type { Bbox } from './extent.ts';
import type { DetectedFormat } from './formats.ts';
import { WktSyntaxError } from './wkt.ts';

/**
 * ESRI Shapefile sets (ESRI Shapefile Technical Description, 1998): a .shp
 * needs its .shx index and .dbf attribute table with the same basename, and a
 * .prj for its coordinate system. Only headers are read: the 100-byte .shp/.shx
 * header, the last .shx entry, the 32-byte .dbf header and the small .prj/.cpg.
 */
export const shapeTypes: Readonly<Record<number, string>> = {
  0: 'Null',
  1: 'Point',
  3: 'PolyLine',
  5: 'Polygon',
  8: 'MultiPoint',
  11: 'PointZ',
  13: 'PolyLineZ',
  15: 'PolygonZ',
  18: 'MultiPointZ',
  21: 'PointM',
  23: 'PolyLineM',
  25: 'PolygonM',
  28: 'MultiPointM',
  31: 'MultiPatch',
};

export interface ShpHeader {
  fileCode: number;
  version: number;
  /** File length the header declares, in bytes (the header stores 16-bit words). */
  declaredBytes: number;
  shapeType: number;
  bbox: Bbox;
}

export async function readShpHeader(source: ByteSource): Promise<ShpHeader> {
  const dv = view(await source.read(0, 100));
  return {
    fileCode: dv.getInt32(0, false),
    declaredBytes: dv.getInt32(24, false) * 2,
    version: dv.getInt32(28, true),
    shapeType: dv.getInt32(32, true),
    bbox: [dv.getFloat64(36, true), dv.getFloat64(44, true), dv.getFloat64(52, true), dv.getFloat64(60, true)],
  };
}

export interface DbfHeader {
  version: number;
  records: number;
  headerLength: number;
  recordLength: number;
  /** dBASE language driver id (byte 29); 0 means "not stated", so a .cpg must say. */
  languageDriver: number;
}

export async function readDbfHeader(source: ByteSource): Promise<DbfHeader> {
  const b = await source.read(0, 32);
  const dv = view(b);
  return {
    version: b[0]!,
    records: dv.getUint32(4, true),
    headerLength: dv.getUint16(8, true),
    recordLength: dv.getUint16(10, true),
    languageDriver: b[29]!,
  };
}

/** A .dbf is complete when it holds header + records × record length bytes (an 0x1A end marker may follow). */
export async function checkDbf(path: string, source: ByteSource): Promise<{ header: DbfHeader; defects: Defect[] }> {
  const header = await readDbfHeader(source);
  const size = await source.size();
  const expected = header.headerLength + header.records * header.recordLength;
  const defects =
    size < expected
      ? [defect(path, 'format.truncated', `属性表不完整：文件头记录 ${header.records} 条记录，应有 ${expected} 字节，实际只有 ${size} 字节。请重新导出并上传。`)]
      : [];
  return { header, defects };
}

/** Sidecars that belong to a shapefile set besides .shp/.shx/.dbf/.prj/.cpg (spatial indexes, metadata). */
const OTHER_MEMBERS = ['sbn', 'sbx', 'qix', 'fix', 'atx', 'ain', 'aih', 'shp.xml'];

export interface ShapefileSet {
  /** Path without extension. */
  base: string;
  shp?: string;
  shx?: string;
  dbf?: string;
  prj?: string;
  cpg?: string;
  others: string[];
}

/**
 * Group package paths into shapefile sets by basename (extension compared
 * case-insensitively). A group is a set when it has a .shp or a .shx; a .dbf
 * alone is an ordinary attribute table.
 */
export function shapefileSets(paths: Iterable<string>): ShapefileSet[] {
  const groups = new Map<string, ShapefileSet>();
  for (const path of paths) {
    const lower = path.toLowerCase();
    const ext = lower.endsWith('.shp.xml') ? 'shp.xml' : lower.slice(lower.lastIndexOf('.') + 1);
    if (!['shp', 'shx', 'dbf', 'prj', 'cpg', ...OTHER_MEMBERS].includes(ext) || !lower.includes('.')) continue;
    const base = path.slice(0, path.length - ext.length - 1);
    const key = base.toLowerCase();
    const set = groups.get(key) ?? { base, others: [] };
    if (ext === 'shp' || ext === 'shx' || ext === 'dbf' || ext === 'prj' || ext === 'cpg') set[ext] = path;
    else set.others.push(path);
    groups.set(key, set);
  }
  return [...groups.values()].filter((s) => s.shp !== undefined || s.shx !== undefined);
}

export function setMembers(set: ShapefileSet): string[] {
  return [set.shp, set.shx, set.dbf, set.prj, set.cpg, ...set.others].filter((p): p is string => p !== undefined);
}

export interface ShapefileSetResult {
  defects: Defect[];
  shapeType: number | null;
  /** Features per the .shx (or the .dbf when the index is unusable). */
  records: number | null;
  bbox: Bbox | null;
  /** Null when there is no usable .prj. */
  crs: CrsInfo | null;
}

const MAX_PRJ_BYTES = 64 * 1024;

export async function checkShapefileSet(
  set: ShapefileSet,
  sourceOf: (path: string) => ByteSource,
  formatOf: (path: string) => DetectedFormat | undefined,
): Promise<ShapefileSetResult> {
  const defects: Defect[] = [];
  const result: ShapefileSetResult = { defects, shapeType: null, records: null, bbox: null, crs: null };
  const name = set.base.slice(set.base.lastIndexOf('/') + 1);

  if (!set.shp) {
    defects.push(defect(set.shx!, 'shapefile.missing-shp', `Shapefile“${name}”缺少主文件 ${name}.shp，只有索引等附属文件。请补交 .shp 或删除多余文件。`));
    return result;
  }
  const shpPath = set.shp;
  if (!set.shx) defects.push(defect(shpPath, 'shapefile.missing-shx', `Shapefile“${name}”缺少索引文件 ${name}.shx，请与 .shp 一并提交。`));
  if (!set.dbf) defects.push(defect(shpPath, 'shapefile.missing-dbf', `Shapefile“${name}”缺少属性表 ${name}.dbf，请与 .shp 一并提交。`));
  if (!set.prj) defects.push(defect(shpPath, 'shapefile.missing-prj', `Shapefile“${name}”缺少坐标系文件 ${name}.prj，无法确认是否为 CGCS2000，请补交。`));

  if (formatOf(shpPath) !== 'shapefile-shp') return result; // the format check has reported it
  const shpSource = sourceOf(shpPath);
  const shp = await readShpHeader(shpSource);
  const shpSize = await shpSource.size();
  result.shapeType = shp.shapeType;
  if (shp.version !== 1000 || shapeTypes[shp.shapeType] === undefined) {
    defects.push(defect(shpPath, 'shapefile.bad-header', `.shp 文件头无效（版本 ${shp.version}，几何类型 ${shp.shapeType}），请用 GIS 软件重新导出。`));
    return result;
  }
  const shpTruncated = shpSize < shp.declaredBytes;
  if (shpTruncated) {
    defects.push(defect(shpPath, 'format.truncated', `.shp 文件不完整：文件头记录长度 ${shp.declaredBytes} 字节，实际只有 ${shpSize} 字节，可能上传中断，请重新上传。`));
  } else if (shpSize > shp.declaredBytes) {
    defects.push(defect(shpPath, 'shapefile.length-mismatch', `.shp 文件长度（${shpSize} 字节）大于文件头记录的 ${shp.declaredBytes} 字节，文件可能被改动，请重新导出。`));
  }

  let shxRecords: number | null = null;
  if (set.shx && formatOf(set.shx) === 'shapefile-shx') {
    const shxSource = sourceOf(set.shx);
    const shx = await readShpHeader(shxSource);
    const shxSize = await shxSource.size();
    if (shxSize < shx.declaredBytes || (shxSize - 100) % 8 !== 0) {
      defects.push(defect(set.shx, 'format.truncated', `.shx 索引不完整：应有 ${shx.declaredBytes} 字节，实际 ${shxSize} 字节，请重新上传。`));
    } else {
      shxRecords = (shx.declaredBytes - 100) / 8;
      result.records = shxRecords;
      if (shx.shapeType !== shp.shapeType) {
        defects.push(defect(set.shx, 'shapefile.index-mismatch', `.shx 的几何类型（${shx.shapeType}）与 .shp（${shp.shapeType}）不一致，索引与主文件不是同一次导出。`));
      } else if (!shpTruncated && shxRecords > 0) {
        const last = view(await shxSource.read(100 + (shxRecords - 1) * 8, 8));
        const end = (last.getInt32(0, false) + 4 + last.getInt32(4, false)) * 2;
        if (end !== shp.declaredBytes) {
          defects.push(defect(set.shx, 'shapefile.index-mismatch', `.shx 最后一条索引指向 .shp 的第 ${end} 字节，而 .shp 长 ${shp.declaredBytes} 字节，索引与主文件不一致，请重新导出。`));
        }
      }
    }
  }

  let dbf: DbfHeader | null = null;
  if (set.dbf && formatOf(set.dbf) === 'dbf') {
    dbf = await readDbfHeader(sourceOf(set.dbf));
    result.records ??= dbf.records;
    if (shxRecords !== null && dbf.records !== shxRecords) {
      defects.push(defect(set.dbf, 'shapefile.record-count-mismatch', `属性表 .dbf 有 ${dbf.records} 条记录，而 .shx 索引有 ${shxRecords} 个要素，二者应一一对应，请重新导出。`));
    }
  }
  if (dbf && dbf.languageDriver === 0 && !set.cpg) {
    defects.push(
      defect(shpPath, 'shapefile.missing-cpg', `Shapefile“${name}”未说明属性表的字符编码（缺少 ${name}.cpg），中文属性可能乱码，建议补交内容为 UTF-8 或 GBK 的 .cpg 文件。`, 'warning'),
    );
  }

  if (set.prj && formatOf(set.prj) === 'prj') {
    const prjSource = sourceOf(set.prj);
    const bytes = await prjSource.read(0, Math.min(await prjSource.size(), MAX_PRJ_BYTES));
    try {
      result.crs = classifyWkt(new TextDecoder().decode(bytes));
    } catch (e) {
      if (!(e instanceof WktSyntaxError)) throw e;
      defects.push(defect(set.prj, 'crs.unparseable', `坐标系文件 .prj 无法解析（${e.message}），请用 GIS 软件重新导出。`));
    }
  }

  if (result.records === 0) {
    defects.push(defect(shpPath, 'shapefile.empty', `Shapefile“${name}”不含任何要素，请确认是否导出了正确的图层。`, 'warning'));
  } else {
    result.bbox = shp.bbox;
  }
  return result;
}
