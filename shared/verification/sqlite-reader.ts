import { ascii, startsWith, view, type ByteSource } from './byte-source.ts';

/**
 * A minimal read-only reader of the SQLite 3 file format
 * (https://www.sqlite.org/fileformat2.html) over ranged reads. It walks table
 * b-trees page by page, so reading a GeoPackage's gpkg_contents and
 * gpkg_spatial_ref_sys costs a handful of pages — the same code reads a local
 * file or an S3 object through Range requests, with no copy to /tmp (node:sqlite
 * would need a local path). Limits, by design: rowid tables only; it reads the
 * main database file, so a database whose writer left committed pages in a
 * `-wal` file is read as of its last checkpoint (GDAL checkpoints on close).
 */
export class SqliteFormatError extends Error {}

export const SQLITE_MAGIC = [...'SQLite format 3'].map((c) => c.charCodeAt(0)).concat(0);

export type SqlValue = null | number | string | Uint8Array;

export interface SqliteHeader {
  pageSize: number;
  usableSize: number;
  /** Pages the header says the database has (0 if the header's count is stale). */
  pageCount: number;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  applicationId: number;
  walMode: boolean;
}

export function parseSqliteHeader(head: Uint8Array): SqliteHeader {
  if (!startsWith(head, SQLITE_MAGIC) || head.byteLength < 100) throw new SqliteFormatError('不是 SQLite 数据库文件');
  const dv = view(head);
  const rawPageSize = dv.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new SqliteFormatError(`页大小 ${pageSize} 无效`);
  const reserved = dv.getUint8(20);
  const changeCounter = dv.getUint32(24);
  const inHeaderCount = dv.getUint32(28);
  const versionValidFor = dv.getUint32(92);
  const enc = dv.getUint32(56);
  return {
    pageSize,
    usableSize: pageSize - reserved,
    pageCount: versionValidFor === changeCounter ? inHeaderCount : 0,
    encoding: enc === 2 ? 'utf-16le' : enc === 3 ? 'utf-16be' : 'utf-8',
    applicationId: dv.getUint32(68),
    walMode: dv.getUint8(18) === 2 || dv.getUint8(19) === 2,
  };
}

/** A SQLite varint at `at`: its value (as a JS number, exact to 2^53) and length in bytes. */
export function readVarint(b: Uint8Array, at: number): { value: number; length: number } {
  let value = 0n;
  for (let i = 0; i < 8; i++) {
    const byte = b[at + i];
    if (byte === undefined) throw new SqliteFormatError('变长整数越界');
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) return { value: Number(BigInt.asIntN(64, value)), length: i + 1 };
  }
  const last = b[at + 8];
  if (last === undefined) throw new SqliteFormatError('变长整数越界');
  value = (value << 8n) | BigInt(last);
  return { value: Number(BigInt.asIntN(64, value)), length: 9 };
}

export interface Row {
  rowid: number;
  /** Column `i` of the record; fetches overflow pages only when the column lies in them. */
  column(i: number): Promise<SqlValue>;
}

const MAX_DEPTH = 20;

export class SqliteReader {
  readonly #pages = new Map<number, Uint8Array>();

  private constructor(
    private readonly source: ByteSource,
    readonly header: SqliteHeader,
    readonly fileSize: number,
  ) {}

  static async open(source: ByteSource): Promise<SqliteReader> {
    const size = await source.size();
    const header = parseSqliteHeader(await source.read(0, 100));
    return new SqliteReader(source, header, size);
  }

  /** Pages the file should hold by its header, when the header's count is current. */
  expectedSize(): number | null {
    return this.header.pageCount > 0 ? this.header.pageCount * this.header.pageSize : null;
  }

  async page(n: number): Promise<Uint8Array> {
    const cached = this.#pages.get(n);
    if (cached) return cached;
    const { pageSize } = this.header;
    if (n < 1 || (n - 1) * pageSize >= this.fileSize) throw new SqliteFormatError(`页 ${n} 超出文件范围`);
    const bytes = await this.source.read((n - 1) * pageSize, pageSize);
    if (bytes.byteLength < pageSize) throw new SqliteFormatError(`页 ${n} 不完整，文件可能被截断`);
    this.#pages.set(n, bytes);
    return bytes;
  }

  /** Every row of the table b-tree rooted at `rootPage`, in rowid order. */
  async *scan(rootPage: number): AsyncGenerator<Row> {
    yield* this.#walk(rootPage, 0, new Set());
  }

  async *#walk(pageNo: number, depth: number, seen: Set<number>): AsyncGenerator<Row> {
    if (depth > MAX_DEPTH || seen.has(pageNo)) throw new SqliteFormatError('b 树结构异常');
    seen.add(pageNo);
    const page = await this.page(pageNo);
    const base = pageNo === 1 ? 100 : 0;
    const dv = view(page);
    const type = page[base];
    const cells = dv.getUint16(base + 3);
    if (type === 0x05) {
      for (let c = 0; c < cells; c++) {
        const ptr = dv.getUint16(base + 12 + 2 * c);
        yield* this.#walk(dv.getUint32(ptr), depth + 1, seen);
      }
      yield* this.#walk(dv.getUint32(base + 8), depth + 1, seen);
    } else if (type === 0x0d) {
      for (let c = 0; c < cells; c++) yield this.#leafCell(page, dv.getUint16(base + 8 + 2 * c));
    } else {
      throw new SqliteFormatError(`页 ${pageNo} 不是表 b 树页（类型 ${type}）`);
    }
  }

  #leafCell(page: Uint8Array, at: number): Row {
    const size = readVarint(page, at);
    const rowid = readVarint(page, at + size.length);
    const start = at + size.length + rowid.length;
    const total = size.value;
    const u = this.header.usableSize;
    const maxLocal = u - 35;
    let local = total;
    if (total > maxLocal) {
      const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
      const k = minLocal + ((total - minLocal) % (u - 4));
      local = k <= maxLocal ? k : minLocal;
    }
    const firstOverflow = local < total ? view(page).getUint32(start + local) : 0;
    const payload = new Payload(this, page.subarray(start, start + local), total, firstOverflow);
    const decoder = new TextDecoder(this.header.encoding);
    let parsed: Promise<{ types: number[]; offsets: number[] }> | undefined;
    const layout = () =>
      (parsed ??= (async () => {
        const first = await payload.slice(0, Math.min(total, 9));
        const headerSize = readVarint(first, 0);
        const hdr = await payload.slice(0, headerSize.value);
        const types: number[] = [];
        const offsets: number[] = [];
        let pos = headerSize.length;
        let body = headerSize.value;
        while (pos < headerSize.value) {
          const t = readVarint(hdr, pos);
          pos += t.length;
          types.push(t.value);
          offsets.push(body);
          body += serialSize(t.value);
        }
        return { types, offsets };
      })());
    return {
      rowid: rowid.value,
      column: async (i) => {
        const { types, offsets } = await layout();
        const t = types[i];
        const off = offsets[i];
        if (t === undefined || off === undefined) return null;
        const bytes = await payload.slice(off, serialSize(t));
        return decodeValue(t, bytes, decoder);
      },
    };
  }

  /** Rows of sqlite_master: type, name, tbl_name, rootpage (sql is read on demand). */
  async *schema(): AsyncGenerator<{ type: string; name: string; rootPage: number; sql: () => Promise<string> }> {
    for await (const row of this.scan(1)) {
      const type = await row.column(0);
      const name = await row.column(1);
      const rootPage = await row.column(3);
      if (typeof type !== 'string' || typeof name !== 'string') continue;
      yield { type, name, rootPage: typeof rootPage === 'number' ? rootPage : 0, sql: async () => String((await row.column(4)) ?? '') };
    }
  }

  /**
   * All rows of a rowid table as objects keyed by column name, reading the
   * column names from its CREATE TABLE statement. An INTEGER PRIMARY KEY
   * column is the rowid (SQLite stores NULL in the record for it).
   */
  async readTable(table: string, wanted?: readonly string[]): Promise<Array<Record<string, SqlValue>> | null> {
    for await (const entry of this.schema()) {
      if (entry.type !== 'table' || entry.name.toLowerCase() !== table.toLowerCase()) continue;
      const columns = parseCreateTable(await entry.sql());
      const rows: Array<Record<string, SqlValue>> = [];
      for await (const row of this.scan(entry.rootPage)) {
        const out: Record<string, SqlValue> = {};
        for (const [i, col] of columns.entries()) {
          if (wanted && !wanted.includes(col.name)) continue;
          const v = await row.column(i);
          out[col.name] = col.rowidAlias && v === null ? row.rowid : v;
        }
        rows.push(out);
      }
      return rows;
    }
    return null;
  }
}

class Payload {
  readonly #overflow: Uint8Array[] = [];
  #next: number;

  constructor(
    private readonly reader: SqliteReader,
    private readonly local: Uint8Array,
    private readonly total: number,
    firstOverflow: number,
  ) {
    this.#next = firstOverflow;
  }

  async slice(from: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.total, from + length);
    if (end <= this.local.byteLength) return this.local.subarray(from, end);
    const chunk = this.reader.header.usableSize - 4;
    const out = new Uint8Array(end - from);
    for (let pos = from; pos < end; ) {
      if (pos < this.local.byteLength) {
        const n = Math.min(end, this.local.byteLength) - pos;
        out.set(this.local.subarray(pos, pos + n), pos - from);
        pos += n;
        continue;
      }
      const index = Math.floor((pos - this.local.byteLength) / chunk);
      while (this.#overflow.length <= index) {
        if (this.#next === 0) throw new SqliteFormatError('溢出页链提前结束');
        const page = await this.reader.page(this.#next);
        this.#next = view(page).getUint32(0);
        this.#overflow.push(page.subarray(4, 4 + chunk));
      }
      const within = (pos - this.local.byteLength) % chunk;
      const n = Math.min(end - pos, chunk - within);
      out.set(this.#overflow[index]!.subarray(within, within + n), pos - from);
      pos += n;
    }
    return out;
  }
}

function serialSize(t: number): number {
  if (t >= 12) return Math.floor((t - 12) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][t] ?? 0;
}

function decodeValue(t: number, b: Uint8Array, decoder: { decode(input: Uint8Array): string }): SqlValue {
  if (t === 0) return null;
  if (t === 8) return 0;
  if (t === 9) return 1;
  if (t === 7) return view(b).getFloat64(0);
  if (t >= 1 && t <= 6) {
    let v = 0n;
    for (const byte of b) v = (v << 8n) | BigInt(byte);
    return Number(BigInt.asIntN(b.byteLength * 8, v));
  }
  if (t >= 13 && t % 2 === 1) return decoder.decode(b);
  if (t >= 12) return b.slice();
  throw new SqliteFormatError(`未知的序列类型 ${t}`);
}

/** Column names of a CREATE TABLE statement, in order, and which one aliases the rowid. */
export function parseCreateTable(sql: string): Array<{ name: string; rowidAlias: boolean }> {
  const open = sql.indexOf('(');
  const close = sql.lastIndexOf(')');
  if (open < 0 || close < open) return [];
  const body = sql.slice(open + 1, close);
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of body) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  const columns: Array<{ name: string; rowidAlias: boolean }> = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (!part || /^(constraint|primary|unique|check|foreign)\b/i.test(part)) continue;
    const m = /^("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|'[^']+'|\S+)\s*(.*)$/s.exec(part);
    if (!m) continue;
    const name = m[1]!.replace(/^["`[']|["`\]']$/g, '').replace(/""/g, '"');
    const rest = m[2] ?? '';
    columns.push({ name, rowidAlias: /^integer\b/i.test(rest) && /primary\s+key/i.test(rest) && !/primary\s+key\s+desc/i.test(rest) });
  }
  return columns;
}

export function isSqlite(head: Uint8Array): boolean {
  return startsWith(head, SQLITE_MAGIC);
}

export function applicationIdTag(id: number): string {
  return ascii(new Uint8Array([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]));
}
