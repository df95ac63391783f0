import { Readable } from 'node:stream';
import type { Workbook, Worksheet } from 'exceljs';
import ExcelJS from 'exceljs/lib/exceljs.bare.js';
import { orgColumns, peopleColumns, sheetNames, type OnboardingSheets, type RowIssue, type SheetRow } from './onboarding.ts';

/**
 * The onboarding files (issue 12), read and written with exceljs (MIT; already a dependency): an XLSX workbook with
 * the sheets 组织 and 人员, or the same two tables as CSV (UTF-8, header row first). Every cell is read as the text a
 * person sees (a region code typed as a number stays 440000, not 440000.0), so the rules run on what is shown.
 */

const required = {
  [sheetNames.organisations]: [orgColumns.code, orgColumns.name, orgColumns.regionCode, orgColumns.type],
  [sheetNames.people]: [peopleColumns.userId, peopleColumns.name, peopleColumns.email, peopleColumns.orgCode, peopleColumns.roles, peopleColumns.clearance],
} as const;

/** A sheet longer than this is not read at all (the import itself takes at most maxRowsPerImport, onboarding.ts). */
export const maxRows = 5000;

function rowsOf(sheet: Worksheet, name: keyof typeof required, issues: RowIssue[]): SheetRow[] {
  const header = new Map<number, string>();
  sheet.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
    const text = cell.text.trim();
    if (text) header.set(col, text);
  });
  const headers = new Set(header.values());
  for (const column of required[name]) {
    if (!headers.has(column)) issues.push({ sheet: name, row: 1, column, message: `表头缺少“${column}”列（模板见 docs/examples/onboarding/）`, code: 'MISSING_COLUMN' });
  }
  const rows: SheetRow[] = [];
  for (let r = 2; r <= sheet.rowCount; r += 1) {
    const row = sheet.getRow(r);
    const cells: Record<string, string> = {};
    let any = false;
    for (const [col, title] of header) {
      const text = row.getCell(col).text.trim();
      cells[title] = text;
      if (text) any = true;
    }
    if (any) rows.push({ row: r, cells });
  }
  if (rows.length > maxRows) issues.push({ sheet: name, row: maxRows + 2, column: '', message: `每个工作表至多 ${maxRows} 行，请分批导入`, code: 'TOO_MANY_ROWS' });
  return rows;
}

function sheetsOf(workbook: Workbook, present: { organisations: boolean; people: boolean }): OnboardingSheets {
  const fileIssues: RowIssue[] = [];
  const read = (name: keyof typeof required): SheetRow[] => {
    const sheet = workbook.getWorksheet(name);
    if (!sheet) {
      fileIssues.push({ sheet: name, row: 0, column: '', message: `缺少工作表“${name}”`, code: 'MISSING_SHEET' });
      return [];
    }
    return rowsOf(sheet, name, fileIssues);
  };
  return {
    organisations: present.organisations ? read(sheetNames.organisations) : [],
    people: present.people ? read(sheetNames.people) : [],
    fileIssues,
  };
}

/** An XLSX workbook: both sheets must be there (either may have no data rows). */
export async function readOnboardingXlsx(bytes: Buffer): Promise<OnboardingSheets> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return { organisations: [], people: [], fileIssues: [{ sheet: '', row: 0, column: '', message: '无法读取该 xlsx 文件：请用模板另存为 Excel 工作簿（.xlsx）', code: 'UNREADABLE' }] };
  }
  return sheetsOf(workbook, { organisations: true, people: true });
}

/** The two tables as CSV text; a table not given is not imported. Values are kept as text (no number or date guessing). */
export async function readOnboardingCsv(files: { organisations?: string | undefined; people?: string | undefined }): Promise<OnboardingSheets> {
  const workbook = new ExcelJS.Workbook();
  for (const [key, name] of [['organisations', sheetNames.organisations], ['people', sheetNames.people]] as const) {
    const text = files[key];
    if (text === undefined) continue;
    const sheet = await workbook.csv.read(Readable.from([text.replace(/^\uFEFF/, '')]), { map: (value: unknown) => value, parserOptions: { trim: false } } as never);
    sheet.name = name;
  }
  return sheetsOf(workbook, { organisations: files.organisations !== undefined, people: files.people !== undefined });
}

/** The template: the two sheets with their headers and one example row each. */
export async function onboardingTemplateXlsx(example: { organisations: string[][]; people: string[][] }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const add = (name: string, columns: readonly string[], rows: string[][]) => {
    const sheet = workbook.addWorksheet(name);
    sheet.addRow([...columns]);
    sheet.getRow(1).font = { bold: true };
    for (const row of rows) sheet.addRow(row);
    // Codes are text: a region code must not turn into a number.
    sheet.columns.forEach((c) => {
      c.width = 18;
      c.numFmt = '@';
    });
  };
  add(sheetNames.organisations, Object.values(orgColumns), example.organisations);
  add(sheetNames.people, Object.values(peopleColumns), example.people);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One table as CSV (RFC 4180 quoting), for the template files and the demo seed. */
export function toCsv(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[columns, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
