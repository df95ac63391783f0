import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { bulletinWorkbook } from '#adapters/bulletin-render.ts';

/**
 * Issue 10 R21.1: the bulletin's XLSX is written with write-excel-file (not exceljs, ≈ 470 KB of RenderBulletin's
 * bundle) and is read back with exceljs as a person's Excel reads it: one sheet per table under its name (at most 31
 * characters), a bold, frozen header row, numbers as numbers, empty cells empty, columns about as wide as their text.
 */
describe('issue 10 R21.1: the bulletin workbook, written with write-excel-file, opens with exceljs', () => {
  it('has the sheets, bold frozen headers, typed cells and widths of the tables it was given', async () => {
    // prepare
    const sheets = [
      { name: '成果汇交（R6.1）', columns: ['单位', '本期应汇交', '逾期办结'], rows: [['广东省地质测绘院', 3, 1], ['合计', 3, null]] },
      { name: '一个名称很长的工作表，超过三十一个字符时截断为三十一个字符以内的名称', columns: ['说明'], rows: [['尚无数据']] },
    ];
    // act
    const bytes = await bulletinWorkbook(sheets, { title: '通报', creator: 'chengguo' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as never);
    // assess
    expect(wb.worksheets.map((s) => s.name)).toEqual(['成果汇交（R6.1）', sheets[1]!.name.slice(0, 31)]);
    const ws = wb.getWorksheet('成果汇交（R6.1）')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['单位', '本期应汇交', '逾期办结']);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(2).getCell(1).font?.bold).toBeFalsy();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(2).getCell(2).value).toBe(3);
    expect(ws.getRow(3).getCell(3).value).toBeNull();
    expect(ws.getColumn(1).width).toBe(16);
    expect(ws.getColumn(2).width).toBe(10);
    expect(String(wb.worksheets[1]!.getRow(2).getCell(1).value)).toBe('尚无数据');
  });
});
