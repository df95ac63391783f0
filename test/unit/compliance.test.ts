import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The project's own list of requirement ids (docs/requirements.md), never the team folder beside a checkout.
const requirements = readFileSync(new URL('../../docs/requirements.md', import.meta.url), 'utf8');
const compliance = readFileSync(new URL('../../docs/compliance.md', import.meta.url), 'utf8');

const statuses = ['DONE', 'PARTIAL', 'MISSING'] as const;
type Status = (typeof statuses)[number];
interface Row {
  readonly id: string;
  readonly status: string;
  readonly text: string;
}

/** `| R7.1 | PARTIAL | where it lives … |` — the status is the second cell, whatever it holds. */
const rows: Row[] = [...compliance.matchAll(/^\|\s*(R\d+\.\d+)\s*\|([^|]*)\|(.*)$/gm)].map((m) => ({
  id: m[1]!,
  status: m[2]!.trim(),
  text: m[3]!,
}));

const citedTests = (row: Row): string[] => [...new Set([...row.text.matchAll(/`(test\/[^`\s]+\.test\.ts)`/g)].map((m) => m[1]!))];

const read = (file: string): string | undefined => {
  try {
    return readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
};

const testCalls = new Set(['describe', 'it', 'test', 'suite']);

/** The identifier a call chain starts from: `describe`, `it.each(t)`, `test.concurrent`, `describe.each(t)(…)` … */
function rootName(callee: ts.Expression): string | undefined {
  let e: ts.Expression = callee;
  for (;;) {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e)) e = e.expression;
    else return undefined;
  }
}

/** The literal text of a title argument (template parts without their substitutions). */
function literalText(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  if (ts.isTemplateExpression(arg)) return arg.head.text + arg.templateSpans.map((s) => `…${s.literal.text}`).join('');
  return undefined;
}

/** Every title given to describe / it / test (also `.each`, `.concurrent`, `.sequential`) in a test file. */
function testTitles(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const titles: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const root = rootName(node.expression);
      const title = literalText(node.arguments[0]);
      if (root && testCalls.has(root) && title !== undefined) titles.push(title);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return titles;
}

/** The id as a word: R1.1 is not in R11.1, R1.10 or R1.1x. */
const namesId = (title: string, id: string): boolean =>
  new RegExp(`(?<![\\w.])${id.replace('.', '\\.')}(?![\\w]|\\.\\d)`).test(title);

describe('docs/compliance.md maps every requirement id (R1.1 … R22.1)', () => {
  const ids = [...requirements.matchAll(/^- (R\d+\.\d+)/gm)].map((m) => m[1]!);

  it('finds the requirement ids in the regulation summary', () => {
    expect(ids.length).toBeGreaterThan(30);
  });

  it('has a row for each id, saying where it lives or that it is not built yet', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = ids.filter((id) => !byId.has(id));
    expect(missing).toEqual([]);
    for (const id of ids) expect(byId.get(id)!.text.trim().length, id).toBeGreaterThan(10);
  });

  it('names only files that exist', () => {
    const files = [
      ...compliance.matchAll(/`((?:shared|functions|runtime|adapters|infra|statemachines|test|cli|bench|scripts|docs)\/[^`\s]+\.(?:ts|json|md))`/g),
    ].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => read(f) === undefined)).toEqual([]);
  });
});

describe('docs/compliance.md says what is: a status per row, and every cited test names its id', () => {
  it('gives every row a status: DONE, PARTIAL or MISSING', () => {
    const bad = rows.filter((r) => !statuses.includes(r.status as Status)).map((r) => `${r.id}: "${r.status.slice(0, 40)}"`);
    expect(bad).toEqual([]);
  });

  it('cites at least one test file on every DONE or PARTIAL row', () => {
    const bare = rows.filter((r) => (r.status === 'DONE' || r.status === 'PARTIAL') && citedTests(r).length === 0).map((r) => r.id);
    expect(bare).toEqual([]);
  });

  it('cites no test on a MISSING row', () => {
    const claimed = rows.filter((r) => r.status === 'MISSING' && citedTests(r).length > 0).map((r) => `${r.id}: ${citedTests(r).join(', ')}`);
    expect(claimed).toEqual([]);
  });

  // Parses every cited test file: seconds on a loaded 2-core machine, past vitest's 5 s default (hence 60 s).
  it('cites only test files that name the row id in the title of a describe / it / test', () => {
    const unnamed: string[] = [];
    for (const row of rows) {
      for (const file of citedTests(row)) {
        const source = read(file);
        if (source === undefined) continue; // "names only files that exist" reports it
        if (!testTitles(file, source).some((t) => namesId(t, row.id))) unnamed.push(`${row.id} → ${file}`);
      }
    }
    expect(unnamed).toEqual([]);
  }, 60_000);

  it('reads titles of describe, it, test, .each and template titles, and matches ids as words', () => {
    const source = [
      "describe('R7.1 verification', () => {",
      "  it.each([1, 2])('R8.2 case %s', () => {});",
      '  describe.each([1])(`R9.1 ${"x"} report`, () => {});',
      "  test.concurrent('no id here', () => {});",
      "  expect('R5.1').toBe('R5.1');",
      '});',
    ].join('\n');
    const titles = testTitles('x.test.ts', source);
    expect(titles).toEqual(['R7.1 verification', 'R8.2 case %s', 'R9.1 … report', 'no id here']);
    expect(titles.some((t) => namesId(t, 'R5.1'))).toBe(false);
    expect(namesId('R11.1 publication', 'R1.1')).toBe(false);
    expect(namesId('R1.10 x', 'R1.1')).toBe(false);
    expect(namesId('(R1.1, R4.1)', 'R1.1')).toBe(true);
    expect(namesId('R1.1: scope', 'R1.1')).toBe(true);
  });
});
