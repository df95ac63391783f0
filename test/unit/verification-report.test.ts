import { describe, expect, it } from 'vitest';
import { ownRulesCategories, surveyThemes, themeIds, themeIdSchema, profileFor, themeProfiles } from '#shared/reference/themes.ts';
import { regionBoxFor } from '#shared/reference/regions.ts';
import { renderReportHtml, reportMapSvg } from '#shared/verification/report-html.ts';
import { regionMap, reportExtents } from '#shared/web/region-map.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { verifyPackage, type VerificationReport } from '#shared/verification/verify-package.ts';
import { loadPackage } from '../fixtures/packages/load.ts';

async function reportFor(name: 'valid' | 'outside-region', theme?: (typeof themeIds)[number]): Promise<VerificationReport> {
  const pkg = await loadPackage(name, { storeChecksums: true });
  return verifyPackage({ manifest: pkg.manifest, files: pkg.files, theme: theme ?? pkg.theme, regionCode: pkg.regionCode, now: () => new Date('2024-07-01T08:00:00Z') });
}

describe('R7.2 the verification report as a Chinese HTML page for the submitter', () => {
  it('states the verdict, counts and every defect with file, rule, message and severity', async () => {
    const report = await reportFor('outside-region');

    const html = renderReportHtml(report, { resultName: '从化区国土变更调查成果', submissionId: 'SUB-1', packageVersion: 2, round: 2 });

    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    expect(html).toContain('核验结论：不通过');
    expect(html).toContain('错误 3 项，警告 0 项');
    expect(html).toContain('第 2 轮');
    expect(html).toContain('2024-07-01 16:00（北京时间）');
    expect(html).toContain('15 个工作日内');
    expect(html.match(/<tr class="error">/g)).toHaveLength(3);
    for (const d of report.defects) {
      expect(html).toContain(`<code>${d.file}</code>`);
      expect(html).toContain(`<code>${d.rule}</code>`);
      expect(html).toContain(escapeHtml(d.message));
    }
  });

  it('says a clean package passed and lists its files', async () => {
    const report = await reportFor('valid');

    const html = renderReportHtml(report);

    expect(html).toContain('核验结论：通过');
    expect(html).toContain('未发现问题。');
    expect(html).toContain('data/parcels.shp');
    expect(html).toContain('CGCS2000 高斯-克吕格投影 3°分带 第 38 带（中央经线 114°E，EPSG:4526）');
    expect(html).not.toContain('15 个工作日内');
  });

  it('escapes whatever the package brings and loads nothing from outside', async () => {
    const report = await reportFor('valid');
    const hostile = {
      ...report,
      passed: false,
      defects: [{ file: 'data/<script>alert(1)</script>.shp', rule: 'manifest.extra-file' as const, message: '"><img src=x onerror=alert(1)>', severity: 'error' as const }],
    };

    const html = renderReportHtml(hostile, { resultName: '<b>名称</b>' });

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('data/&lt;script&gt;alert(1)&lt;/script&gt;.shp');
    expect(html).toContain('&lt;b&gt;名称&lt;/b&gt;');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });
});

describe('R1.1 R7.1 and R22.1 theme profiles (BagIt-profile style: required roles, accepted formats)', () => {
  it('has a profile for every theme id and validates theme ids', () => {
    expect(Object.keys(themeProfiles).sort()).toEqual([...themeIds].sort());
    expect(themeIdSchema.safeParse('forest').success).toBe(true);
    expect(themeIdSchema.safeParse('tourism').success).toBe(false);
  });

  it('marks exactly the R22.1 categories as following their own rules', () => {
    expect(surveyThemes.filter((t) => profileFor(t).followsOwnRules)).toEqual([]);
    expect(ownRulesCategories.filter((t) => !profileFor(t).followsOwnRules)).toEqual([]);
  });

  it('requires data, a report and metadata of every survey theme', () => {
    for (const t of surveyThemes) expect(profileFor(t).requiredRoles).toEqual(expect.arrayContaining(['data', 'report', 'metadata']));
  });

  it('asks a 水资源 package for its report but not for a map', async () => {
    const pkg = await loadPackage('missing-report', { storeChecksums: true });
    const withoutMap = pkg.manifest.filter((e) => e.role !== 'map');
    pkg.files.delete('maps/overview.tif');

    const report = await verifyPackage({ manifest: withoutMap, files: pkg.files, theme: 'water', regionCode: '440000' });

    expect(report.defects.map((d) => [d.rule, d.message.includes('报告')])).toEqual([['profile.missing-role', true]]);
  });

  it('verifies an R22.1 category generically and warns that its own rules apply', async () => {
    const report = await reportFor('valid', 'marine');

    expect(report.passed).toBe(true);
    expect(report.profile).toEqual({ id: 'marine', label: '海洋调查', followsOwnRules: true });
    expect(report.defects).toEqual([expect.objectContaining({ file: '', rule: 'profile.follows-own-rules', severity: 'warning' })]);
  });

  it('lowers the extent check to a warning for marine data', async () => {
    const report = await reportFor('outside-region', 'marine');

    expect(report.passed).toBe(true);
    expect(report.defects.filter((d) => d.rule === 'extent.outside-region').map((d) => d.severity)).toEqual(['warning', 'warning', 'warning']);
  });

  it('refuses formats a role does not accept: a DEM package must deliver GeoTIFF data', async () => {
    const report = await reportFor('valid', 'dem');

    expect(report.passed).toBe(false);
    expect(report.defects.filter((d) => d.rule === 'profile.format-not-allowed').map((d) => d.file)).toEqual([
      'data/landuse.gpkg',
      'data/parcels.cpg',
      'data/parcels.dbf',
      'data/parcels.prj',
      'data/parcels.shp',
      'data/parcels.shx',
    ]);
  });
});

describe('R7.1 R7.2 the verification report’s map (issue 13): the declared region’s box and each layer’s extent', () => {
  it('draws every placed extent; the outside-region package’s layers are drawn outside the 广东省 box and labelled so', async () => {
    const report = await reportFor('outside-region');

    const html = renderReportHtml(report);
    const layers = reportExtents(report);
    const map = regionMap({ title: 't', region: regionBoxFor(report.regionCode)!, extents: layers });

    expect(layers.length).toBeGreaterThan(0);
    expect(html).toContain('<h2>数据范围示意图</h2>');
    expect(html).toContain(reportMapSvg(report));
    expect(html).toContain('广东省（440000）省级外包框');
    for (const l of layers) expect(html).toContain(escapeHtml(l.label));
    expect(map.extents.every((x) => x.placement !== 'inside')).toBe(true);
    expect(html).toContain('data-placement="outside"');
  });

  it('draws the valid package’s layers inside the box', async () => {
    const report = await reportFor('valid');

    const map = regionMap({ title: 't', region: regionBoxFor(report.regionCode)!, extents: reportExtents(report) });

    expect(map.extents.length).toBeGreaterThan(0);
    expect(map.extents.map((x) => x.placement)).toEqual(map.extents.map(() => 'inside'));
  });
});
