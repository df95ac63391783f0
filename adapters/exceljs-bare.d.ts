/**
 * exceljs's bare build (lib/exceljs.bare.js): the Workbook with its XLSX and CSV readers and writers, without
 * the streaming WorkbookReader/WorkbookWriter (unzipper, archiver), ~480 KB of bundle instead of ~1.2 MB
 * (issue 10, docs/performance.md). The package ships no types for it: the Workbook is exceljs's own.
 */
declare module 'exceljs/lib/exceljs.bare.js' {
  import type { Workbook } from 'exceljs';
  const ExcelJS: { readonly Workbook: typeof Workbook };
  export default ExcelJS;
}
