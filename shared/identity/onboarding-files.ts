import { parse as parseCsv } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/universal';
import { orgColumns, peopleColumns, sheetNames, type OnboardingSheets, type RowIssue, type SheetRow } from './onboarding.ts';

/**
 * The onboarding files (issue 12): an XLSX workbook with the sheets 组织 and 人员, or the same two tables as CSV
 * (UTF-8, header row first). Read with read-excel-file (XLSX) and csv-parse (CSV), both MIT, ≈ 75 KB bundled
 * against exceljs's 470 KB with its zip and stream stack (issue 10: ImportOnboarding under 250 KB); the template
 * is written with exceljs (onboarding-template.ts, used by scripts/build-onboarding-template.ts, by no Lambda). Every cell
 * is read as the text exceljs's `cell.text` gives (a region code typed as a number stays 440000, not 440000.0), so
 * the rules run on what is shown; test/unit/onboarding-files.test.ts checks the cells are exceljs's, cell for cell.
 */

const required = {
  [sheetNames.organisations]: [orgColumns.code, orgColumns.name, orgColumns.regionCode, orgColumns.type],
  [sheetNames.people]: [peopleColumns.userId, peopleColumns.name, peopleColumns.email, peopleColumns.orgCode, peopleColumns.roles, peopleColumns.clearance],
} as const;

/** A sheet longer than this is not read at all (the import itself takes at most maxRowsPerImport, onboarding.ts). */
export const maxRows = 5000;

/** One sheet as rows of cell texts; row i is the sheet's row i + 1, column j its column j + 1. */
type Grid = ReadonlyArray<ReadonlyArray<unknown>>;

/** A cell's text as exceljs's `cell.text` gives it: empty for none, a number or a date by its `toString()`. */
const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

function rowsOf(grid: Grid, name: keyof typeof required, issues: RowIssue[]): SheetRow[] {
  const header = new Map<number, string>();
  (grid[0] ?? []).forEach((value, col) => {
    const title = text(value).trim();
    if (title) header.set(col, title);
  });
  const headers = new Set(header.values());
  for (const column of required[name]) {
    if (!headers.has(column)) issues.push({ sheet: name, row: 1, column, message: `表头缺少“${column}”列（模板见 docs/examples/onboarding/）`, code: 'MISSING_COLUMN' });
  }
  const rows: SheetRow[] = [];
  for (let r = 2; r <= grid.length; r += 1) {
    const row = grid[r - 1] ?? [];
    const cells: Record<string, string> = {};
    let any = false;
    for (const [col, title] of header) {
      const value = text(row[col]).trim();
      cells[title] = value;
      if (value) any = true;
    }
    if (any) rows.push({ row: r, cells });
  }
  if (rows.length > maxRows) issues.push({ sheet: name, row: maxRows + 2, column: '', message: `每个工作表至多 ${maxRows} 行，请分批导入`, code: 'TOO_MANY_ROWS' });
  return rows;
}

function sheetsOf(grids: ReadonlyMap<string, Grid>, present: { organisations: boolean; people: boolean }): OnboardingSheets {
  const fileIssues: RowIssue[] = [];
  const read = (name: keyof typeof required): SheetRow[] => {
    const grid = grids.get(name);
    if (!grid) {
      fileIssues.push({ sheet: name, row: 0, column: '', message: `缺少工作表“${name}”`, code: 'MISSING_SHEET' });
      return [];
    }
    return rowsOf(grid, name, fileIssues);
  };
  return {
    organisations: present.organisations ? read(sheetNames.organisations) : [],
    people: present.people ? read(sheetNames.people) : [],
    fileIssues,
  };
}

/** An XLSX workbook: both sheets must be there (either may have no data rows). */
export async function readOnboardingXlsx(bytes: Buffer): Promise<OnboardingSheets> {
  let sheets: Array<{ sheet: string; data: Grid }>;
  try {
    // Cells as stored: no trimming here (the rules trim), numbers and dates as exceljs reads them.
    sheets = await readXlsxFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { trim: false });
  } catch {
    return { organisations: [], people: [], fileIssues: [{ sheet: '', row: 0, column: '', message: '无法读取该 xlsx 文件：请用模板另存为 Excel 工作簿（.xlsx）', code: 'UNREADABLE' }] };
  }
  return sheetsOf(new Map(sheets.map((s) => [s.sheet, s.data])), { organisations: true, people: true });
}

/** The two tables as CSV text; a table not given is not imported. Values are kept as text (no number or date guessing). */
export async function readOnboardingCsv(files: { organisations?: string | undefined; people?: string | undefined }): Promise<OnboardingSheets> {
  const grids = new Map<string, Grid>();
  for (const [key, name] of [['organisations', sheetNames.organisations], ['people', sheetNames.people]] as const) {
    const csv = files[key];
    if (csv === undefined) continue;
    // RFC 4180; rows may have fewer or more cells than the header; a blank line is a row without cells (its number counts).
    grids.set(name, parseCsv(csv, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][]);
  }
  return sheetsOf(grids, { organisations: files.organisations !== undefined, people: files.people !== undefined });
}

/** One table as CSV (RFC 4180 quoting), for the template files and the demo seed. */
export function toCsv(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[columns, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
