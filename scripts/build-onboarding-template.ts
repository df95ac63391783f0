/**
 * Builds docs/examples/onboarding/zhejiang.xlsx — the bulk onboarding template (sheets 组织 and 人员) filled with the
 * Zhejiang example — from the two CSV files beside it, with the project's own writer (exceljs).
 *
 *   npx tsx scripts/build-onboarding-template.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onboardingTemplateXlsx } from '#shared/identity/onboarding-template.ts';

export const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'examples', 'onboarding');

const rowsOf = (file: string) =>
  readFileSync(join(exampleDir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await onboardingTemplateXlsx({ organisations: rowsOf('organisations.csv'), people: rowsOf('people.csv') });
  writeFileSync(join(exampleDir, 'zhejiang.xlsx'), bytes);
  console.log(`wrote ${join(exampleDir, 'zhejiang.xlsx')} (${bytes.length} bytes)`);
}
