import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handler as openSubmission } from '#functions/submission/open-submission.ts';
import { buildManifest, refuseBadNames } from '../../cli/manifest.ts';
import { CliError } from '../../cli/errors.ts';
import { catalogue, call, portsFor, file, registeredTask, standardFiles, submissionWorld } from './submission-fakes.ts';

async function open(files: unknown) {
  const world = await submissionWorld();
  const task = await registeredTask(world);
  const before = world.snapshot();
  const r = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
    user: 'li.na',
    pathParameters: { taskId: task.taskId },
    body: { catalogue: catalogue(), files },
  });
  return { world, before, r };
}

describe('R6.1 R20.1 issue-8 §6: deceptive, blank and clashing file names are refused with a 400 naming the file', () => {
  const cases: Array<[string, string[], number, string]> = [
    ['a right-to-left override (U+202E)', ['report/报告\u202efdp.exe'], 4, '报告\\u202efdp.exe'],
    ['a left-to-right embedding (U+202A)', ['data/\u202ax.gpkg'], 4, 'data/\\u202ax.gpkg'],
    ['a first-strong isolate (U+2068)', ['data/x\u2068.gpkg'], 4, 'data/x\\u2068.gpkg'],
    ['a zero-width space (U+200B)', ['data/land\u200buse.gpkg'], 4, 'data/land\\u200buse.gpkg'],
    ['a zero-width joiner (U+200D)', ['data/a\u200d.gpkg'], 4, 'data/a\\u200d.gpkg'],
    ['a byte-order mark (U+FEFF)', ['\ufeffdata/x.gpkg'], 4, '\\ufeffdata/x.gpkg'],
    ['a blank file name', ['data/   '], 4, 'data/   '],
    ['a blank folder name (ideographic space)', ['data/\u3000/x.gpkg'], 4, 'data/\u3000/x.gpkg'],
    ['a name of only spaces', ['  '], 4, '“  ”'],
    ['a file and a folder of the same name', ['report', 'report/a.pdf'], 4, '“report”'],
    ['a folder listed before a file of the same name, in another case', ['Report/a.pdf', 'report'], 5, '“report”'],
  ];

  it.each(cases)('refuses %s', async (_name, extra, index, shown) => {
    // act
    const { world, before, r } = await open([...standardFiles, ...extra.map((p) => file(p))]);
    // assess
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(`body.files.${index}.path`);
    expect(JSON.stringify(r.body.error.details)).toContain(JSON.stringify(shown).slice(1, -1));
    expect(world.snapshot()).toEqual(before);
  });

  it('still accepts ordinary Chinese names, spaces inside a name and folders that merely share a prefix', async () => {
    const { r } = await open([...standardFiles, file('data/土地 利用.gpkg'), file('report2/a.pdf'), file('reports.pdf')]);
    expect(r.status).toBe(201);
  });
});

describe('R6.1 R20.1 issue-8 §6: the CLI refuses the same names before hashing or sending anything', () => {
  it('refuseBadNames names every bad file, shown with its invisible characters escaped', () => {
    const err = (() => {
      try {
        refuseBadNames(['data/ok.gpkg', 'report/报告\u202efdp.exe', 'data/a\u200b.tif', 'data/ ', 'Maps', 'maps/a.tif']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('MANIFEST_INVALID');
    const details = (err as CliError).details ?? [];
    expect(details.map((d) => d.field)).toEqual(expect.arrayContaining(['report/报告\\u202efdp.exe（path）', 'data/a\\u200b.tif（path）', 'data/ （path）', 'Maps（path）']));
    expect(details[0]?.message).toContain('report/报告\\u202efdp.exe');
    expect(JSON.stringify(details)).toContain('双向控制字符');
    expect(() => refuseBadNames(['data/ok.gpkg', 'report/报告.pdf'])).not.toThrow();
  });

  it('buildManifest stops on a package folder holding such a name, before hashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chengguo-names-'));
    mkdirSync(join(dir, 'report'));
    writeFileSync(join(dir, 'report', '报告\u202efdp.exe'), 'x');
    writeFileSync(join(dir, 'data.gpkg'), 'x');
    const lines: string[] = [];
    await expect(buildManifest({ dir, out: { write: (l: string) => lines.push(l) } as never })).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    expect(lines.join('')).not.toMatch(/SHA-256|哈希|校验/);
  });
});
