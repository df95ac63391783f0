import ExcelJS from 'exceljs/lib/exceljs.bare.js';
import { orgColumns, peopleColumns, sheetNames } from './onboarding.ts';

/*
 * The onboarding template, written with exceljs (MIT). Its own module: ImportOnboarding reads workbooks with
 * read-excel-file (onboarding-files.ts) and must not carry exceljs (issue 10); the template is written by
 * scripts/build-onboarding-template.ts and the tests.
 */

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
