import { describe, expect, it } from 'vitest';
import { assignRole, compileRules, globToRegExp, roleRulesFileSchema } from '../../cli/roles.ts';

describe('issue-3 R7.1 upload CLI: file roles by convention', () => {
  it.each([
    ['data/parcels.shp', 'data', 'folder'],
    ['maps/overview.tif', 'map', 'folder'],
    ['成果图件/土地利用现状图.pdf', 'map', 'folder'],
    ['report/survey-report.pdf', 'report', 'folder'],
    ['报告/调查报告.docx', 'report', 'folder'],
    ['metadata/metadata.xml', 'metadata', 'folder'],
    ['docs/数据库设计.pdf', 'technicalDocument', 'folder'],
    ['parcels.dbf', 'data', 'extension'],
    ['landuse.GPKG', 'data', 'extension'],
    ['dem.tif', 'data', 'extension'],
    ['dataset.xml', 'metadata', 'extension'],
    ['从化区调查报告.pdf', 'report', 'extension'],
    ['Survey_Report.doc', 'report', 'extension'],
    ['技术设计书.pdf', 'technicalDocument', 'extension'],
    ['readme.txt', 'data', 'default'],
  ] as const)('%s → %s (by %s)', (path, role, by) => {
    expect(assignRole(path)).toEqual({ role, by });
  });

  it('lets the innermost role folder decide', () => {
    expect(assignRole('report/maps/fig1.tif').role).toBe('map');
  });

  it('lets a rule win over folders and extensions, first match first', () => {
    const rules = compileRules([
      { match: 'maps/*.pdf', role: 'report' },
      { match: '**/*.pdf', role: 'technicalDocument' },
    ]);

    expect(assignRole('maps/说明.pdf', rules)).toEqual({ role: 'report', by: 'rule' });
    expect(assignRole('data/x/说明.pdf', rules)).toEqual({ role: 'technicalDocument', by: 'rule' });
    expect(assignRole('maps/a.tif', rules)).toEqual({ role: 'map', by: 'folder' });
  });
});

describe('issue-3 R7.1 upload CLI: role rule globs', () => {
  it.each([
    ['*.pdf', 'a.pdf', true],
    ['*.pdf', 'docs/a.pdf', false],
    ['**/*.pdf', 'a.pdf', true],
    ['**/*.pdf', 'docs/x/a.pdf', true],
    ['docs/**', 'docs/x/a.pdf', true],
    ['docs/**', 'docsx/a.pdf', false],
    ['data/parcels.???', 'data/parcels.shp', true],
    ['DATA/*.SHP', 'data/a.shp', true],
    ['a+b (1).pdf', 'a+b (1).pdf', true],
  ] as const)('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });

  it('reads the long and the short form of chengguo.roles.json alike', () => {
    const long = roleRulesFileSchema.parse({ rules: [{ match: 'docs/**', role: 'technicalDocument' }] });
    const short = roleRulesFileSchema.parse({ 'docs/**': 'technicalDocument' });

    expect(long).toEqual([{ match: 'docs/**', role: 'technicalDocument' }]);
    expect(short).toEqual(long);
  });
});
