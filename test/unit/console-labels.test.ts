/**
 * The console's derived labels (issue 13/17 new-user trial): what kind of date a use report falls due on, what a
 * decided application came to, how a result's quality problem reads on its page, and the attachment checks made in
 * the browser before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { applicationOutcome, useReportKindLabel } from '../../console/src/pages/sharing/labels.ts';
import { attachmentLimits, attachmentType, correctionText, filesAndFolders, latestStep, problemOutcome, problemTag } from '../../console/src/pages/feedback/problem-rows.ts';
import { maxAttachmentBytes, maxAttachments, maxGeoJsonBytes } from '#shared/feedback/problems.ts';
import { useReportSlots } from '#shared/sharing/purpose.ts';

describe('R19.1 a use report’s due date labelled by its real kind (年度 / 期满 / 组织单位确定)', () => {
  it('a grant to 2027-06-01 whose organiser set 2026-12-09: the slot is the organiser’s date, not 期满', () => {
    const [slot] = useReportSlots('2026-06-02', '2027-06-01', '2026-12-09');
    expect(slot).toEqual({ due: '2026-12-09', kind: 'end' });
    expect(useReportKindLabel(slot!, '2027-06-01')).toBe('组织单位确定');
  });
  it('no organiser date: the last slot is 期满, the earlier ones of a long grant 年度', () => {
    const slots = useReportSlots('2026-01-01', '2028-06-30');
    expect(slots.map((s) => useReportKindLabel(s, '2028-06-30'))).toEqual(['年度', '年度', '期满']);
  });
});

describe('R15.1 我的申请: a decided application shows what the organisers decided', () => {
  const decided = (...statuses: Array<'approved' | 'rejected' | 'pending'>) => ({ status: 'decided', statusLabel: '已审核', reviews: statuses.map((status) => ({ status })) });
  it('refused by its organiser: 不予共享 (danger), not 已审核', () => {
    expect(applicationOutcome(decided('rejected'))).toEqual({ label: '不予共享', tag: 'danger' });
  });
  it('approved: 已同意; approved by one organiser and refused by another: 部分同意 with the counts', () => {
    expect(applicationOutcome(decided('approved', 'approved'))).toEqual({ label: '已同意', tag: 'success' });
    expect(applicationOutcome(decided('approved', 'rejected'))).toEqual({ label: '部分同意（1 个组织单位同意，1 个不予共享）', tag: 'warning' });
  });
  it('still under review, or on the offline chain: the API’s own label', () => {
    expect(applicationOutcome({ status: 'reviewing', statusLabel: '审核中', reviews: [{ status: 'pending' }] })).toEqual({ label: '审核中', tag: 'warning' });
    expect(applicationOutcome({ status: 'awaitingHandover', statusLabel: '已同意，待离线交接', reviews: [{ status: 'approved' }] }).label).toBe('已同意，待离线交接');
  });
});

describe('R19.2 R19.3 a result’s quality problems on its page', () => {
  const base = { timeline: [{ state: 'reported' as const, at: '2026-12-01T02:00:00Z', byName: '罗欣', note: '报告' }] };
  it('the organiser’s finding once upheld; the corrected version once submitted, fixed once it is current', () => {
    const correcting = {
      ...base,
      state: 'correctionSubmitted' as const,
      finding: { who: '某测绘院', what: '属性错误', conclusion: '限期改正' },
      correction: { n: 2, openedAt: '2026-12-03T02:00:00Z' },
    };
    expect(problemOutcome(correcting)).toBe('责任方 某测绘院：属性错误；结论：限期改正');
    expect(correctionText(correcting)).toBe('更正版本第 2 版已提交');
    expect(correctionText({ ...correcting, state: 'fixed', fixed: { n: 2, at: '2026-12-04T02:00:00Z' } })).toBe('第 2 版已入库为现行版本');
    expect(problemTag('correctionSubmitted')).toBe('danger');
    expect(problemTag('fixed')).toBe('success');
  });
  it('a rejection shows the custodian’s reasons; an open report nothing yet; the latest step is the last of the timeline', () => {
    const rejected = { state: 'rejected' as const, timeline: [...base.timeline, { state: 'rejected' as const, at: '2026-12-02T02:00:00Z', byName: '张伟', note: '与实地一致' }] };
    expect(problemOutcome(rejected)).toBe('张伟：与实地一致');
    expect(latestStep(rejected)?.at).toBe('2026-12-02T02:00:00Z');
    expect(problemOutcome({ ...base, state: 'reported' })).toBe('');
    expect(correctionText({ ...base, state: 'reported' })).toBe('');
    expect(problemTag('rejected')).toBe('info');
  });
  it('the package’s folders (layers, with a trailing /) then its files, each once', () => {
    expect(filesAndFolders(['data/DLTB.shp', 'data/DLTB.dbf', '/metadata.xml', 'data/sub/x.tif'])).toEqual(['data/', 'data/sub/', 'data/DLTB.dbf', 'data/DLTB.shp', 'data/sub/x.tif', 'metadata.xml']);
  });
});

describe('R19.2 attachments checked in the browser as the API checks them', () => {
  it('the limits are the API’s', () => {
    expect(attachmentLimits).toEqual({ count: maxAttachments, bytes: maxAttachmentBytes, geoJsonBytes: maxGeoJsonBytes });
  });
  it('JPEG/PNG up to 10 MB, a .geojson (no type from the browser) up to 2 MB; anything else refused with the file named', () => {
    expect(attachmentType({ name: 'a.JPG', type: '', size: 100 })).toEqual({ contentType: 'image/jpeg' });
    expect(attachmentType({ name: 'b.png', type: 'image/png', size: 10 * 1024 * 1024 })).toEqual({ contentType: 'image/png' });
    expect(attachmentType({ name: 'c.geojson', type: '', size: 10 })).toEqual({ contentType: 'application/geo+json' });
    expect(attachmentType({ name: 'b.png', type: 'image/png', size: 10 * 1024 * 1024 + 1 })).toEqual({ problem: 'b.png：照片或截图不超过 10 MB' });
    expect(attachmentType({ name: 'c.geojson', type: '', size: 2 * 1024 * 1024 + 1 })).toEqual({ problem: 'c.geojson：GeoJSON 不超过 2 MB' });
    expect(attachmentType({ name: 'd.pdf', type: 'application/pdf', size: 10 })).toEqual({ problem: 'd.pdf：附件应为 JPEG、PNG 照片或截图，或 GeoJSON（.geojson）' });
    expect(attachmentType({ name: 'e.png', type: 'image/png', size: 0 })).toEqual({ problem: 'e.png：附件不能为空' });
  });
});
