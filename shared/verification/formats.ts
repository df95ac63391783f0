import { ascii, startsWith, view, type ByteSource } from './byte-source.ts';
import { defect, type Defect } from './defects.ts';
import { isTiffMagic, readTiff, TiffFormatError, type TiffInfo } from './geotiff.ts';
import { GPKG_APPLICATION_IDS } from './geopackage.ts';
import { isSqlite, parseSqliteHeader, SqliteFormatError } from './sqlite-reader.ts';

/**
 * Format by content, not by extension (R7.1 规范性): magic bytes and a little
 * structure from the head (and, for PDF and ZIP, the tail) of the file.
 */
export const detectedFormats = [
  'shapefile-shp',
  'shapefile-shx',
  'dbf',
  'prj',
  'geotiff',
  'tiff',
  'geopackage',
  'sqlite',
  'pdf',
  'docx',
  'xlsx',
  'pptx',
  'zip',
  'ole2', // legacy Office: .doc/.xls/.ppt share the OLE2 compound-file container
  'jpeg',
  'png',
  'xml',
  'csv',
  'text',
  'empty',
  'unknown',
] as const;
export type DetectedFormat = (typeof detectedFormats)[number];

export const formatLabels: Record<DetectedFormat, string> = {
  'shapefile-shp': 'Shapefile 主文件（.shp）',
  'shapefile-shx': 'Shapefile 索引（.shx）',
  dbf: 'dBASE 属性表（.dbf）',
  prj: '坐标系定义（WKT）',
  geotiff: 'GeoTIFF',
  tiff: 'TIFF（无地理参考）',
  geopackage: 'GeoPackage',
  sqlite: 'SQLite 数据库',
  pdf: 'PDF',
  docx: 'Word 文档（.docx）',
  xlsx: 'Excel 表格（.xlsx）',
  pptx: 'PowerPoint 演示文稿（.pptx）',
  zip: 'ZIP 压缩包',
  ole2: '旧版 Office 文档（.doc/.xls/.ppt）',
  jpeg: 'JPEG 图像',
  png: 'PNG 图像',
  xml: 'XML',
  csv: 'CSV 表格',
  text: '文本',
  empty: '空文件',
  unknown: '无法识别',
};

export interface FormatDetection {
  format: DetectedFormat;
  /** Extension mismatch, empty or truncated file. */
  defects: Defect[];
  /** Text encoding, when the file is text. */
  encoding?: 'utf-8' | 'gb18030';
  /** The parsed TIFF directory, so the CRS check does not read it again. */
  tiff?: TiffInfo;
}

const textual: readonly DetectedFormat[] = ['text', 'csv', 'prj', 'xml'];

/** What content each extension promises; an extension not listed promises nothing. */
export const formatsByExtension: Readonly<Record<string, readonly DetectedFormat[]>> = {
  shp: ['shapefile-shp'],
  shx: ['shapefile-shx'],
  dbf: ['dbf'],
  prj: ['prj'],
  cpg: textual,
  tif: ['geotiff', 'tiff'],
  tiff: ['geotiff', 'tiff'],
  gpkg: ['geopackage'],
  sqlite: ['sqlite', 'geopackage'],
  db: ['sqlite', 'geopackage'],
  pdf: ['pdf'],
  docx: ['docx'],
  xlsx: ['xlsx'],
  pptx: ['pptx'],
  doc: ['ole2'],
  xls: ['ole2'],
  ppt: ['ole2'],
  zip: ['zip', 'docx', 'xlsx', 'pptx'],
  jpg: ['jpeg'],
  jpeg: ['jpeg'],
  png: ['png'],
  xml: ['xml'],
  csv: ['csv', 'text'],
  txt: textual,
  json: ['text'],
};

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

const PDF_TAIL = 1024;
const ZIP_EOCD = 22;
const ZIP_MAX_COMMENT = 65535;
const ZIP_MAX_DIRECTORY_READ = 32 * 1024;
const TEXT_SAMPLE = 4096;

export async function detectFormat(source: ByteSource, path: string): Promise<FormatDetection> {
  const size = await source.size();
  if (size === 0) return { format: 'empty', defects: [defect(path, 'format.empty', '文件为空（0 字节），请重新上传完整文件。')] };
  const head = await source.read(0, Math.min(size, TEXT_SAMPLE));
  const found = await sniff(source, path, size, head);
  return { ...found, defects: [...found.defects, ...extensionDefects(path, found.format)] };
}

function extensionDefects(path: string, format: DetectedFormat): Defect[] {
  const ext = extensionOf(path);
  const expected = formatsByExtension[ext];
  if (!expected || expected.includes(format) || format === 'empty') return [];
  if (format === 'unknown') {
    return [defect(path, 'format.unrecognised', `文件内容无法识别为扩展名 .${ext} 应有的格式（${expected.map((f) => formatLabels[f]).join('或')}），文件可能已损坏。`)];
  }
  return [
    defect(
      path,
      'format.extension-mismatch',
      `扩展名 .${ext} 与文件实际内容（${formatLabels[format]}）不符，请改正扩展名或换成正确的文件。`,
    ),
  ];
}

type Sniffed = Omit<FormatDetection, 'defects'> & { defects: Defect[] };

async function sniff(source: ByteSource, path: string, size: number, head: Uint8Array): Promise<Sniffed> {
  const ok = (format: DetectedFormat, extra: Partial<Sniffed> = {}): Sniffed => ({ format, defects: [], ...extra });
  const truncated = (format: DetectedFormat, why: string): Sniffed => ({
    format,
    defects: [defect(path, 'format.truncated', `文件不完整（${why}），可能上传中断或文件已损坏，请重新上传。`)],
  });

  // PDF: the header may sit anywhere in the first 1 KiB; a complete file ends with %%EOF.
  if (ascii(head, 0, 1024).includes('%PDF-')) {
    const tail = await source.read(Math.max(0, size - PDF_TAIL), PDF_TAIL);
    return ascii(tail).includes('%%EOF') ? ok('pdf') : truncated('pdf', '缺少文件结束标记 %%EOF');
  }

  if (isTiffMagic(head)) {
    try {
      const tiff = await readTiff(source);
      const format = tiff.geoKeys ? 'geotiff' : 'tiff';
      return tiff.truncated ? { ...truncated(format, tiff.truncated), tiff } : ok(format, { tiff });
    } catch (e) {
      if (e instanceof TiffFormatError) return truncated('tiff', e.message);
      throw e;
    }
  }

  if (isSqlite(head)) {
    try {
      const h = parseSqliteHeader(head);
      const format = GPKG_APPLICATION_IDS.includes(h.applicationId) ? 'geopackage' : 'sqlite';
      const expected = h.pageCount * h.pageSize;
      return h.pageCount > 0 && size < expected ? truncated(format, `文件头记录 ${expected} 字节，实际只有 ${size} 字节`) : ok(format);
    } catch (e) {
      if (e instanceof SqliteFormatError) return truncated('sqlite', e.message);
      throw e;
    }
  }

  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return sniffZip(source, size, ok, truncated);
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return ok('ole2');
  if (startsWith(head, [0xff, 0xd8, 0xff])) return ok('jpeg');
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return ok('png');

  const shape = sniffShapefile(head, size, path);
  if (shape) return ok(shape);
  if (looksLikeDbf(head, size)) return ok('dbf');
  return sniffText(head, size);
}

/** .shp and .shx share a 100-byte header: file code 9994 (big-endian), version 1000 (little-endian). */
function sniffShapefile(head: Uint8Array, size: number, path: string): DetectedFormat | null {
  if (head.byteLength < 100) return null;
  const dv = view(head);
  if (dv.getInt32(0, false) !== 9994 || dv.getInt32(28, true) !== 1000) return null;
  if (size < 108) return extensionOf(path) === 'shx' ? 'shapefile-shx' : 'shapefile-shp';
  // The first .shx record points at word 50 (byte 100) of the .shp; the first .shp record is numbered 1.
  const first = dv.getInt32(100, false);
  if (first === 50) return 'shapefile-shx';
  if (first === 1) return 'shapefile-shp';
  return extensionOf(path) === 'shx' ? 'shapefile-shx' : 'shapefile-shp';
}

const DBF_VERSIONS = new Set([0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8b, 0x8e, 0xcb, 0xf5, 0xfb]);

function looksLikeDbf(head: Uint8Array, size: number): boolean {
  if (head.byteLength < 33 || !DBF_VERSIONS.has(head[0]!)) return false;
  const dv = view(head);
  const month = head[2]!;
  const day = head[3]!;
  const headerLength = dv.getUint16(8, true);
  const recordLength = dv.getUint16(10, true);
  if (month < 1 || month > 12 || day < 1 || day > 31 || headerLength < 33 || recordLength < 1 || headerLength > size) return false;
  // Field descriptors are 32 bytes each, ended by 0x0D.
  for (let at = 32; at < Math.min(headerLength, head.byteLength); at += 32) if (head[at] === 0x0d) return true;
  return false;
}

async function sniffZip(
  source: ByteSource,
  size: number,
  ok: (f: DetectedFormat) => Sniffed,
  truncated: (f: DetectedFormat, why: string) => Sniffed,
): Promise<Sniffed> {
  // End of central directory: usually the last 22 bytes; else search the possible comment.
  let tailStart = Math.max(0, size - ZIP_EOCD);
  let tail = await source.read(tailStart, ZIP_EOCD);
  let eocd = findLast(tail, [0x50, 0x4b, 0x05, 0x06]);
  if (eocd < 0 && size > ZIP_EOCD) {
    tailStart = Math.max(0, size - ZIP_EOCD - ZIP_MAX_COMMENT);
    tail = await source.read(tailStart, size - tailStart);
    eocd = findLast(tail, [0x50, 0x4b, 0x05, 0x06]);
  }
  if (eocd < 0 || eocd + ZIP_EOCD > tail.byteLength) return truncated('zip', '找不到 ZIP 中央目录');
  const dv = view(tail);
  let dirSize = dv.getUint32(eocd + 12, true);
  let dirOffset = dv.getUint32(eocd + 16, true);
  if (dirOffset === 0xffffffff || dirSize === 0xffffffff) {
    const locatorAt = tailStart + eocd - 20;
    const locator = await source.read(Math.max(0, locatorAt), 20);
    if (!startsWith(locator, [0x50, 0x4b, 0x06, 0x07])) return truncated('zip', 'ZIP64 定位记录缺失');
    const record = await source.read(Number(view(locator).getBigUint64(8, true)), 56);
    if (!startsWith(record, [0x50, 0x4b, 0x06, 0x06])) return truncated('zip', 'ZIP64 中央目录记录缺失');
    dirSize = Number(view(record).getBigUint64(40, true));
    dirOffset = Number(view(record).getBigUint64(48, true));
  }
  if (dirOffset + dirSize > size) return truncated('zip', '中央目录超出文件末尾');
  const dir = await source.read(dirOffset, Math.min(dirSize, ZIP_MAX_DIRECTORY_READ));
  const names: string[] = [];
  const d = view(dir);
  for (let at = 0; at + 46 <= dir.byteLength && d.getUint32(at, true) === 0x02014b50; ) {
    const nameLength = d.getUint16(at + 28, true);
    names.push(ascii(dir, at + 46, at + 46 + nameLength));
    at += 46 + nameLength + d.getUint16(at + 30, true) + d.getUint16(at + 32, true);
  }
  if (names.includes('word/document.xml')) return ok('docx');
  if (names.includes('xl/workbook.xml')) return ok('xlsx');
  if (names.includes('ppt/presentation.xml')) return ok('pptx');
  return ok('zip');
}

function findLast(b: Uint8Array, sig: readonly number[]): number {
  for (let i = b.byteLength - sig.length; i >= 0; i--) if (startsWith(b, sig, i)) return i;
  return -1;
}

const WKT_START = /^\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|LOCAL_CS|VERT_CS|PROJCRS|GEOGCRS|GEODCRS|BOUNDCRS|COMPOUNDCRS|ENGCRS|VERTCRS)\s*\[/i;

function sniffText(head: Uint8Array, size: number): Sniffed {
  if (head.includes(0)) return { format: 'unknown', defects: [] };
  // A sample may end inside a multi-byte character: drop up to 3 trailing bytes before judging.
  const complete = head.byteLength === size;
  let text: string | undefined;
  let encoding: 'utf-8' | 'gb18030' | undefined;
  for (const enc of ['utf-8', 'gb18030'] as const) {
    for (let cut = 0; cut <= (complete ? 0 : 3) && text === undefined; cut++) {
      try {
        text = new TextDecoder(enc, { fatal: true }).decode(head.subarray(0, head.byteLength - cut));
        encoding = enc;
      } catch {
        // try a shorter sample, then the next encoding
      }
    }
    if (text !== undefined) break;
  }
  if (text === undefined || !encoding) return { format: 'unknown', defects: [] };
  const control = [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 && c !== '\n' && c !== '\r' && c !== '\t' && c !== '\f';
  }).length;
  if (control > text.length / 100) return { format: 'unknown', defects: [] };
  const body = text.replace(/^\uFEFF/, '');
  if (WKT_START.test(body)) return { format: 'prj', defects: [], encoding };
  if (/^\s*</.test(body)) return { format: 'xml', defects: [], encoding };
  if (looksLikeCsv(body, complete)) return { format: 'csv', defects: [], encoding };
  return { format: 'text', defects: [], encoding };
}

/** Two or more lines with the same number (≥ 2) of comma, tab or semicolon separated fields. */
function looksLikeCsv(text: string, complete: boolean): boolean {
  const lines = text.split(/\r?\n/);
  if (!complete) lines.pop();
  const sample = lines.filter((l) => l.trim() !== '').slice(0, 20);
  if (sample.length < 2) return false;
  return [',', '\t', ';'].some((sep) => {
    const counts = sample.map((l) => fieldCount(l, sep));
    return counts[0]! >= 2 && counts.every((c) => c === counts[0]);
  });
}

function fieldCount(line: string, sep: string): number {
  let n = 1;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) n++;
  }
  return n;
}
