/**
 * A defect found by technical verification (R7.1). The rule id is a stable
 * English identifier (reports, statistics, tests key on it); the message is
 * Chinese and says what to fix, because it is fed back to the submitter (R7.2).
 */
export type Severity = 'error' | 'warning';

export const rules = [
  'manifest.missing-file',
  'manifest.extra-file',
  'manifest.duplicate-entry',
  'manifest.size-mismatch',
  'manifest.checksum-mismatch',
  'format.empty',
  'format.extension-mismatch',
  'format.unrecognised',
  'format.truncated',
  'shapefile.missing-shp',
  'shapefile.missing-shx',
  'shapefile.missing-dbf',
  'shapefile.missing-prj',
  'shapefile.missing-cpg',
  'shapefile.bad-header',
  'shapefile.length-mismatch',
  'shapefile.index-mismatch',
  'shapefile.record-count-mismatch',
  'shapefile.empty',
  'geopackage.unreadable',
  'crs.missing',
  'crs.unparseable',
  'crs.not-cgcs2000',
  'extent.unknown',
  'extent.outside-region',
  'profile.missing-role',
  'profile.format-not-allowed',
  'profile.follows-own-rules',
] as const;
export type Rule = (typeof rules)[number];

export interface Defect {
  /** Package path of the file concerned; '' for the package as a whole. */
  readonly file: string;
  readonly rule: Rule;
  readonly message: string;
  readonly severity: Severity;
}

export const severityLabels: Record<Severity, string> = { error: '错误', warning: '警告' };

export function defect(file: string, rule: Rule, message: string, severity: Severity = 'error'): Defect {
  return { file, rule, message, severity };
}

/** Stable order for reports: by file, then rule, then message. */
export function sortDefects(defects: readonly Defect[]): Defect[] {
  return [...defects].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
