import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Workbook } from 'exceljs';
import ExcelJS from 'exceljs/lib/exceljs.bare.js';
import { describe, expect, it } from 'vitest';
import { orgColumns, peopleColumns, sheetNames, type OnboardingSheets } from '#shared/identity/onboarding.ts';
import { readOnboardingCsv, readOnboardingXlsx } from '#shared/identity/onboarding-files.ts';
import { exampleDir } from '../../scripts/build-onboarding-template.ts';

/**
 * Issue 10: ImportOnboarding reads workbooks with read-excel-file and CSV with csv-parse instead of exceljs (≈ 470 KB
 * with its zip and stream stack). The reference below is how it read them with exceljs until then (cell.text of
 * every header column, rows numbered as in the sheet, blank rows skipped): the new readers must give the same
 * rows, cell for cell, on the shipped example and on workbooks and CSV files with the cases that differ in
 * practice (numbers, dates, formulas, rich text, blank rows, quoted fields, CRLF, a BOM).
 */
async function exceljsReference(workbook: Workbook, names: readonly string[]): Promise<Record<string, Array<{ row: number; cells: Record<string, string> }>>> {
  const out: Record<string, Array<{ row: number; cells: Record<string, string> }>> = {};
  for (const name of names) {
    const sheet = workbook.getWorksheet(name);
    if (!sheet) continue;
    const header = new Map<number, string>();
    sheet.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
      if (cell.text.trim()) header.set(col, cell.text.trim());
    });
    const rows: Array<{ row: number; cells: Record<string, string> }> = [];
    for (let r = 2; r <= sheet.rowCount; r += 1) {
      const cells: Record<string, string> = {};
      let any = false;
      for (const [col, title] of header) {
        cells[title] = sheet.getRow(r).getCell(col).text.trim();
        if (cells[title]) any = true;
      }
      if (any) rows.push({ row: r, cells });
    }
    out[name] = rows;
  }
  return out;
}

const rowsOf = (s: OnboardingSheets) => ({ [sheetNames.organisations]: s.organisations, [sheetNames.people]: s.people });
const orgHeader = Object.values(orgColumns);
const peopleHeader = Object.values(peopleColumns);

describe('issue 10 R3.1: the onboarding files are read as exceljs read them, without exceljs in ImportOnboarding', () => {
  it('reads the shipped example workbook (docs/examples/onboarding/zhejiang.xlsx) cell for cell as exceljs', async () => {
    // prepare
    const bytes = readFileSync(join(exampleDir, 'zhejiang.xlsx'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    // act
    const ours = await readOnboardingXlsx(bytes);
    // assess
    expect(ours.fileIssues).toEqual([]);
    expect(ours.organisations.length).toBeGreaterThan(0);
    expect(rowsOf(ours)).toEqual(await exceljsReference(workbook, [sheetNames.organisations, sheetNames.people]));
  });

  it('reads numbers, dates, booleans, formulas, rich text, spaces and blank rows as exceljs\'s cell.text, rows numbered as in the sheet', async () => {
    // prepare: what a person's Excel file holds beyond the template's text cells
    const workbook = new ExcelJS.Workbook();
    const orgs = workbook.addWorksheet(sheetNames.organisations);
    orgs.addRow([...orgHeader, '备注']);
    orgs.addRow(['330000-NR', ' 浙江省自然资源厅 ', 330000, '省级', '自然资源主管部门', '100000-NR', 'true', 1.5]);
    orgs.addRow([]);
    orgs.addRow(['330100-NR', { richText: [{ text: '杭州市' }, { font: { bold: true }, text: '规划和自然资源局' }] }, { formula: '330000+100', result: 330100 }, '地市级', '自然资源主管部门', '330000-NR', true, new Date(Date.UTC(2026, 11, 4))]);
    orgs.addRow(['', '', '', '', '', '', '', '']);
    orgs.addRow(['330200-NR', '宁波市', '330200']);
    const people = workbook.addWorksheet(sheetNames.people);
    people.addRow(peopleHeader);
    people.addRow(['zhang.san', '张三', { text: 'zhang.san@zrzy.zj.gov.cn', hyperlink: 'mailto:zhang.san@zrzy.zj.gov.cn' }, '330000-NR', '组织单位管理员', '秘密']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.load(bytes as unknown as ArrayBuffer);
    // act
    const ours = await readOnboardingXlsx(bytes);
    // assess
    const reference = await exceljsReference(reread, [sheetNames.organisations, sheetNames.people]);
    expect(rowsOf(ours)).toEqual(reference);
    expect(ours.organisations.map((r) => r.row)).toEqual([2, 4, 6]);
    expect(ours.organisations[1]?.cells[orgColumns.regionCode]).toBe('330100');
  });

  it('reads CSV as exceljs (fast-csv) did: quoted commas, line breaks and quotes, CRLF, a BOM, blank lines counted, short and long rows', async () => {
    // prepare
    const organisations = `\uFEFF${orgHeader.join(',')}\r\n330000-NR,"浙江省自然资源厅, 本级",330000,省级,自然资源主管部门,100000-NR\r\n\r\n330100-NR,"杭州市""规划""和自然资源局",330100,地市级\r\n330200-NR,"宁波市\n（测试）",330200,地市级,自然资源主管部门,330000-NR,多余,列\r\n , ,,,,\r\n`;
    const people = `${peopleHeader.join(',')}\nzhang.san,张三,zhang.san@zrzy.zj.gov.cn,330000-NR,"组织单位管理员,审核员",秘密\n`;
    const workbook = new ExcelJS.Workbook();
    for (const [name, text] of [[sheetNames.organisations, organisations], [sheetNames.people, people]] as const) {
      const sheet = await workbook.csv.read(Readable.from([text.replace(/^\uFEFF/, '')]), { map: (value: unknown) => value, parserOptions: { trim: false } } as never);
      sheet.name = name;
    }
    // act
    const ours = await readOnboardingCsv({ organisations, people });
    // assess
    expect(ours.fileIssues).toEqual([]);
    expect(rowsOf(ours)).toEqual(await exceljsReference(workbook, [sheetNames.organisations, sheetNames.people]));
    expect(ours.organisations.map((r) => r.row)).toEqual([2, 4, 5]);
  });
});
