import { view, type ByteSource } from './byte-source.ts';
import type { GeoKeyValue } from './crs.ts';
import type { Bbox } from './extent.ts';

/**
 * Reads a (Geo)TIFF's first image file directory and its GeoTIFF tags with
 * ranged reads: the 8/16-byte header, the IFD wherever it sits, and the few tag
 * values stored out of line. Pixel data is never read. Classic TIFF and BigTIFF,
 * little- and big-endian.
 */
export interface TiffInfo {
  bigTiff: boolean;
  littleEndian: boolean;
  width: number;
  height: number;
  /** Null when the file carries no GeoKeyDirectory (a plain TIFF). */
  geoKeys: Map<number, GeoKeyValue> | null;
  /** Model-space bbox from ModelTiepoint+ModelPixelScale or ModelTransformation. */
  bbox: Bbox | null;
  /** Why the file looks cut short, if it does. */
  truncated: string | null;
}

export class TiffFormatError extends Error {}

const TAG = {
  ImageWidth: 256,
  ImageLength: 257,
  StripOffsets: 273,
  StripByteCounts: 279,
  TileOffsets: 324,
  TileByteCounts: 325,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
} as const;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
/** Out-of-line values larger than this are not fetched (GeoTIFF tags are tiny; strip tables can be huge). */
const MAX_VALUE_BYTES = 16 * 1024;
const MAX_ENTRIES = 1024;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** The raw value/offset field (4 or 8 bytes). */
  field: Uint8Array;
}

export function isTiffMagic(b: Uint8Array): boolean {
  if (b.byteLength < 4) return false;
  const le = b[0] === 0x49 && b[1] === 0x49 && b[3] === 0x00 && (b[2] === 42 || b[2] === 43);
  const be = b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && (b[3] === 42 || b[3] === 43);
  return le || be;
}

export async function readTiff(source: ByteSource): Promise<TiffInfo> {
  const size = await source.size();
  const head = await source.read(0, 16);
  if (!isTiffMagic(head) || head.byteLength < 8) throw new TiffFormatError('不是 TIFF 文件');
  const le = head[0] === 0x49;
  const hv = view(head);
  const bigTiff = hv.getUint16(2, le) === 43;
  const u64 = (dv: DataView, at: number) => Number(dv.getBigUint64(at, le));
  let ifdOffset: number;
  if (bigTiff) {
    if (head.byteLength < 16 || hv.getUint16(4, le) !== 8) throw new TiffFormatError('BigTIFF 文件头无效');
    ifdOffset = u64(hv, 8);
  } else {
    ifdOffset = hv.getUint32(4, le);
  }
  if (ifdOffset < 8 || ifdOffset >= size) {
    return { bigTiff, littleEndian: le, width: 0, height: 0, geoKeys: null, bbox: null, truncated: `图像目录（IFD）位置 ${ifdOffset} 超出文件大小 ${size}` };
  }

  const countBytes = await source.read(ifdOffset, bigTiff ? 8 : 2);
  const count = bigTiff ? u64(view(countBytes), 0) : view(countBytes).getUint16(0, le);
  const entrySize = bigTiff ? 20 : 12;
  if (count === 0 || count > MAX_ENTRIES) throw new TiffFormatError(`图像目录项数 ${count} 无效`);
  const entriesStart = ifdOffset + countBytes.byteLength;
  const raw = await source.read(entriesStart, count * entrySize);
  if (raw.byteLength < count * entrySize) {
    return { bigTiff, littleEndian: le, width: 0, height: 0, geoKeys: null, bbox: null, truncated: '图像目录（IFD）不完整' };
  }
  const rv = view(raw);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const tag = rv.getUint16(at, le);
    const type = rv.getUint16(at + 2, le);
    const n = bigTiff ? u64(rv, at + 4) : rv.getUint32(at + 4, le);
    const field = raw.subarray(at + (bigTiff ? 12 : 8), at + entrySize);
    entries.set(tag, { tag, type, count: n, field });
  }

  const valueBytes = async (e: Entry, from = 0, n = e.count): Promise<Uint8Array | null> => {
    const unit = TYPE_SIZE[e.type];
    if (!unit) return null;
    const total = e.count * unit;
    if (total <= e.field.byteLength) return e.field.subarray(from * unit, (from + n) * unit);
    if (n * unit > MAX_VALUE_BYTES) return null;
    const offset = bigTiff ? u64(view(e.field), 0) : view(e.field).getUint32(0, le);
    if (offset + total > size) return null;
    const bytes = await source.read(offset + from * unit, n * unit);
    return bytes.byteLength === n * unit ? bytes : null;
  };

  const numbers = async (tag: number, from = 0, n?: number): Promise<number[] | null> => {
    const e = entries.get(tag);
    if (!e) return null;
    const bytes = await valueBytes(e, from, n ?? e.count);
    if (!bytes) return null;
    const dv = view(bytes);
    const unit = TYPE_SIZE[e.type]!;
    const out: number[] = [];
    for (let at = 0; at + unit <= bytes.byteLength; at += unit) {
      switch (e.type) {
        case 1: case 7: out.push(dv.getUint8(at)); break;
        case 6: out.push(dv.getInt8(at)); break;
        case 3: out.push(dv.getUint16(at, le)); break;
        case 8: out.push(dv.getInt16(at, le)); break;
        case 4: case 13: out.push(dv.getUint32(at, le)); break;
        case 9: out.push(dv.getInt32(at, le)); break;
        case 11: out.push(dv.getFloat32(at, le)); break;
        case 12: out.push(dv.getFloat64(at, le)); break;
        case 16: case 18: out.push(Number(dv.getBigUint64(at, le))); break;
        case 17: out.push(Number(dv.getBigInt64(at, le))); break;
        case 5: out.push(dv.getUint32(at, le) / dv.getUint32(at + 4, le)); break;
        case 10: out.push(dv.getInt32(at, le) / dv.getInt32(at + 4, le)); break;
        default: return null;
      }
    }
    return out;
  };

  const text = async (tag: number): Promise<string | null> => {
    const e = entries.get(tag);
    if (!e || e.type !== 2) return null;
    const bytes = await valueBytes(e);
    return bytes ? new TextDecoder('latin1').decode(bytes) : null;
  };

  const width = (await numbers(TAG.ImageWidth))?.[0] ?? 0;
  const height = (await numbers(TAG.ImageLength))?.[0] ?? 0;

  // Truncation: the last strip/tile must end inside the file (GDAL writes them in order).
  let truncated: string | null = null;
  for (const [offTag, lenTag] of [
    [TAG.StripOffsets, TAG.StripByteCounts],
    [TAG.TileOffsets, TAG.TileByteCounts],
  ] as const) {
    const offEntry = entries.get(offTag);
    const lenEntry = entries.get(lenTag);
    if (!offEntry || !lenEntry || offEntry.count === 0) continue;
    const last = offEntry.count - 1;
    const lastOffset = (await numbers(offTag, last, 1))?.[0];
    const lastLength = (await numbers(lenTag, Math.min(last, lenEntry.count - 1), 1))?.[0];
    if (lastOffset !== undefined && lastLength !== undefined && lastOffset + lastLength > size) {
      truncated = `最后一个图像数据块结束于字节 ${lastOffset + lastLength}，但文件只有 ${size} 字节`;
    }
  }

  let geoKeys: Map<number, GeoKeyValue> | null = null;
  const dir = await numbers(TAG.GeoKeyDirectory);
  if (dir && dir.length >= 4) {
    const doubles = (await numbers(TAG.GeoDoubleParams)) ?? [];
    const asciiParams = (await text(TAG.GeoAsciiParams)) ?? '';
    geoKeys = new Map();
    const keyCount = dir[3]!;
    for (let k = 0; k < keyCount; k++) {
      const at = 4 + k * 4;
      const [id, location, n, value] = [dir[at], dir[at + 1], dir[at + 2], dir[at + 3]];
      if (id === undefined || location === undefined || n === undefined || value === undefined) break;
      if (location === 0) geoKeys.set(id, value);
      else if (location === TAG.GeoDoubleParams) {
        const vs = doubles.slice(value, value + n);
        geoKeys.set(id, vs.length === 1 ? vs[0]! : vs);
      } else if (location === TAG.GeoAsciiParams) {
        geoKeys.set(id, asciiParams.slice(value, value + n).replace(/\|$/, '').replace(/\0/g, ''));
      } else if (location === TAG.GeoKeyDirectory) {
        geoKeys.set(id, dir.slice(value, value + n));
      }
    }
  }

  let bbox: Bbox | null = null;
  const scale = await numbers(TAG.ModelPixelScale);
  const tie = await numbers(TAG.ModelTiepoint);
  const matrix = await numbers(TAG.ModelTransformation);
  if (scale && tie && scale.length >= 2 && tie.length >= 6) {
    const [i, j, , x, y] = tie as [number, number, number, number, number];
    const [sx, sy] = scale as [number, number];
    const left = x - i * sx;
    const top = y + j * sy;
    bbox = [left, top - height * sy, left + width * sx, top];
  } else if (matrix && matrix.length >= 8) {
    const [a, b, , d, e, f, , h] = matrix as [number, number, number, number, number, number, number, number];
    const corners = [
      [0, 0],
      [width, 0],
      [0, height],
      [width, height],
    ].map(([c, r]) => [a * c! + b * r! + d, e * c! + f * r! + h] as const);
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  return { bigTiff, littleEndian: le, width, height, geoKeys, bbox, truncated };
}
