import * as z from 'zod/mini';
import { ValidationError } from '#shared/errors.ts';
import { fileRoleLabels, fileRoleSchema, themeIdSchema, type FileRole, type ThemeId, profileFor, type ThemeProfile } from '#shared/reference/themes.ts';
import { normaliseSha256, sha256Of, TalliedSource, type PackageFile, type ReadTally } from './byte-source.ts';
import { classifyGeoKeys, crsLabel, isCgcs2000, type CrsInfo } from './crs.ts';
import { defect, sortDefects, type Defect, type Severity } from './defects.ts';
import { checkExtent, type Bbox } from './extent.ts';
import { detectFormat, formatLabels, type DetectedFormat, type FormatDetection } from './formats.ts';
import { GeoPackageError, readGeoPackage } from './geopackage.ts';
import { regionBoxFor, type RegionBox } from '#shared/reference/regions.ts';
import { checkDbf, checkShapefileSet, setMembers, shapefileSets } from './shapefile.ts';
import { SqliteFormatError } from './sqlite-reader.ts';

/**
 * Automated technical verification of a package (R7.1: completeness 完整性 and
 * conformance 规范性). Checks read file headers through ranged reads; only the
 * checksum fallback streams whole files, and only when the store holds no
 * checksum of its own. Each file's reads are tallied in the report.
 *
 * Primary course:
 *  1. Group the present files into units: a shapefile set is one unit, every
 *     other file its own (planUnits) — a Map state can batch units freely.
 *  2. Per unit (verifyUnit): size and checksum against the manifest, format by
 *     content, shapefile set structure, coordinate system, extent in region.
 *  3. Over the package (assembleReport): missing and extra files, the roles
 *     and formats the theme's profile requires; the verdict.
 */
export const manifestEntrySchema = z.object({
  path: z.string().check(z.minLength(1)).check(z.maxLength(1024)),
  size: z.number().check(z.int()).check(z.nonnegative()),
  sha256: z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, '应为 64 位十六进制 SHA-256')),
  role: fileRoleSchema,
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export interface LayerResult {
  name: string;
  crs: CrsInfo | null;
  /** Longitude/latitude box, when the extent could be placed. */
  extent: Bbox | null;
}

export interface FileResult {
  path: string;
  /** From the manifest; null for a file the manifest does not list. */
  role: FileRole | null;
  inManifest: boolean;
  size: number;
  format: DetectedFormat;
  sha256: string | null;
  /** Where the checksum came from; null when it was not checked (unlisted file, wrong size). */
  checksumSource: 'store' | 'streamed' | null;
  crs: CrsInfo | null;
  /** Longitude/latitude box, when the extent could be placed. */
  extent: Bbox | null;
  /** GeoPackage layers. */
  layers?: LayerResult[];
  reads: ReadTally;
}

export interface UnitResult {
  files: FileResult[];
  defects: Defect[];
}

export interface VerificationReport {
  passed: boolean;
  checkedAt: string;
  theme: ThemeId;
  regionCode: string;
  profile: { id: ThemeId; label: string; followsOwnRules: boolean };
  region: { code: string; name: string };
  files: FileResult[];
  defects: Defect[];
  summary: { files: number; errors: number; warnings: number; checksumsFromStore: number; checksumsStreamed: number };
  /** Header bytes plus streamed bytes. */
  bytesRead: number;
  headerBytesRead: number;
  streamedBytes: number;
  /** Total size of the files present. */
  packageBytes: number;
}

export interface VerifyInput {
  manifest: readonly ManifestEntry[];
  files: ReadonlyMap<string, PackageFile>;
  theme: ThemeId;
  regionCode: string;
  now?: () => Date;
  /** Files checked at once. */
  concurrency?: number;
}

export async function verifyPackage(input: VerifyInput): Promise<VerificationReport> {
  const context = contextOf(input.theme, input.regionCode);
  const presentPaths = [...input.files.keys()];
  const units = planUnits(presentPaths);
  const results = await mapLimit(units, input.concurrency ?? 8, (paths) =>
    verifyUnit({ paths, manifest: input.manifest, files: input.files, theme: input.theme, regionCode: input.regionCode }, context),
  );
  return assembleReport({
    manifest: input.manifest,
    presentPaths,
    theme: input.theme,
    regionCode: input.regionCode,
    units: results,
    checkedAt: (input.now ?? (() => new Date()))(),
  });
}

/** Units of work: each shapefile set together (its checks need all members), every other file alone. */
export function planUnits(paths: Iterable<string>): string[][] {
  const all = [...paths].sort();
  const grouped = new Set<string>();
  const units: string[][] = [];
  for (const set of shapefileSets(all)) {
    const members = setMembers(set).sort();
    members.forEach((m) => grouped.add(m));
    units.push(members);
  }
  for (const p of all) if (!grouped.has(p)) units.push([p]);
  return units.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

interface Context {
  profile: ThemeProfile;
  region: RegionBox;
}

function contextOf(theme: string, regionCode: string): Context {
  const parsed = themeIdSchema.safeParse(theme);
  if (!parsed.success) throw new ValidationError(`成果专题“${theme}”不在支持范围内`);
  const region = regionBoxFor(regionCode);
  if (!region) throw new ValidationError(`行政区划代码“${regionCode}”无法识别，无法核验数据范围`);
  return { profile: profileFor(parsed.data), region };
}

/** Checks one unit (planUnits) of a package; `files` needs only the unit's paths. */
export async function verifyUnit(
  input: { paths: readonly string[]; manifest: readonly ManifestEntry[]; files: ReadonlyMap<string, PackageFile>; theme: ThemeId; regionCode: string },
  context: Context = contextOf(input.theme, input.regionCode),
): Promise<UnitResult> {
  const { profile, region } = context;
  const entries = new Map(input.manifest.map((e) => [e.path, e]));
  const sources = new Map<string, TalliedSource>();
  const detections = new Map<string, FormatDetection>();
  const results = new Map<string, FileResult>();
  const defects: Defect[] = [];

  for (const path of input.paths) {
    const file = input.files.get(path);
    if (!file) continue;
    const source = new TalliedSource(file);
    sources.set(path, source);
    const entry = entries.get(path);
    const size = await source.size();
    const detection = await detectFormat(source, path);
    detections.set(path, detection);
    defects.push(...detection.defects);
    const result: FileResult = {
      path,
      role: entry?.role ?? null,
      inManifest: entry !== undefined,
      size,
      format: detection.format,
      sha256: null,
      checksumSource: null,
      crs: null,
      extent: null,
      reads: source.tally,
    };
    results.set(path, result);
    if (entry) defects.push(...(await checkIntegrity(path, entry, file, source, size, result)));

    const truncated = detection.defects.some((d) => d.rule === 'format.truncated');
    if (detection.format === 'dbf') defects.push(...(await checkDbf(path, source)).defects);
    if ((detection.format === 'geotiff' || detection.format === 'tiff') && detection.tiff && !truncated) {
      defects.push(...checkGeoTiff(path, detection, result, profile, region));
    }
    if (detection.format === 'geopackage' && !truncated) defects.push(...(await checkGeoPackage(path, source, result, profile, region)));
  }

  for (const set of shapefileSets(input.paths.filter((p) => sources.has(p)))) {
    const checked = await checkShapefileSet(
      set,
      (p) => sources.get(p)!,
      (p) => detections.get(p)?.format,
    );
    defects.push(...checked.defects);
    if (!set.shp || !checked.crs) continue;
    const shpResult = results.get(set.shp)!;
    shpResult.crs = checked.crs;
    if (!isCgcs2000(checked.crs)) {
      defects.push(notCgcs2000(set.prj ?? set.shp, checked.crs, profile.crsSeverity));
    } else if (checked.bbox) {
      const extent = checkExtent({ file: set.shp, bbox: checked.bbox, crs: checked.crs, region, severity: profile.extentSeverity });
      shpResult.extent = extent.lonLat;
      defects.push(...extent.defects);
    }
  }

  return { files: [...results.values()], defects };
}

async function checkIntegrity(path: string, entry: ManifestEntry, file: PackageFile, source: TalliedSource, size: number, result: FileResult): Promise<Defect[]> {
  if (size !== entry.size) {
    return [defect(path, 'manifest.size-mismatch', `文件大小 ${size} 字节与清单记录的 ${entry.size} 字节不符，文件可能未传完整或被替换，请重新上传。`)];
  }
  const stored = file.storedSha256 ? normaliseSha256(file.storedSha256) : null;
  const actual = stored ?? (await sha256Of(source));
  result.sha256 = actual;
  result.checksumSource = stored ? 'store' : 'streamed';
  const expected = normaliseSha256(entry.sha256);
  if (actual === expected) return [];
  const how = stored ? '存储服务记录的校验值' : '逐字节计算的校验值';
  return [
    defect(path, 'manifest.checksum-mismatch', `SHA-256 校验值不符：清单为 ${expected.slice(0, 12)}…，${how}为 ${actual.slice(0, 12)}…，文件可能在传输中损坏或被替换，请重新上传。`),
  ];
}

function notCgcs2000(file: string, crs: Extract<CrsInfo, { family: 'other' }>, severity: Severity): Defect {
  return defect(
    file,
    'crs.not-cgcs2000',
    `坐标系为“${crsLabel(crs)}”，不是 2000 国家大地坐标系（CGCS2000，EPSG:4490 或其高斯-克吕格投影 EPSG:4491–4554）：${crs.reason}。请转换到 CGCS2000 后重新提交。`,
    severity,
  );
}

function checkGeoTiff(path: string, detection: FormatDetection, result: FileResult, profile: ThemeProfile, region: RegionBox): Defect[] {
  const tiff = detection.tiff!;
  const crs = tiff.geoKeys ? classifyGeoKeys(tiff.geoKeys) : null;
  result.crs = crs;
  if (!crs) {
    // A scanned map may lack georeferencing; a data raster may not.
    if (result.role === 'map') return [];
    return [defect(path, 'crs.missing', '影像未携带坐标系信息（缺少 GeoTIFF 地理键），请导出为带 CGCS2000 坐标系的 GeoTIFF。', profile.crsSeverity)];
  }
  if (!isCgcs2000(crs)) return [notCgcs2000(path, crs, profile.crsSeverity)];
  if (!tiff.bbox) return [defect(path, 'extent.unknown', '影像缺少地理配准（控制点与像元大小），无法核对数据范围。', 'warning')];
  const extent = checkExtent({ file: path, bbox: tiff.bbox, crs, region, severity: profile.extentSeverity });
  result.extent = extent.lonLat;
  return extent.defects;
}

async function checkGeoPackage(path: string, source: TalliedSource, result: FileResult, profile: ThemeProfile, region: RegionBox): Promise<Defect[]> {
  let info;
  try {
    info = await readGeoPackage(source);
  } catch (e) {
    if (e instanceof SqliteFormatError || e instanceof GeoPackageError) {
      return [defect(path, 'geopackage.unreadable', `GeoPackage 无法读取（${e.message}），请用 GIS 软件检查并重新导出。`)];
    }
    throw e;
  }
  if (info.truncated) return [defect(path, 'format.truncated', `GeoPackage 不完整（${info.truncated}），请重新上传。`)];
  const defects: Defect[] = [];
  const layers: LayerResult[] = [];
  for (const content of info.contents) {
    if (content.dataType === 'attributes') continue;
    const layer: LayerResult = { name: content.tableName, crs: content.crs, extent: null };
    layers.push(layer);
    const what = `图层“${content.tableName}”`;
    if (!content.crs) {
      defects.push(defect(path, 'crs.missing', `${what}未定义坐标系（srs_id ${content.srsId ?? '空'}），请设置为 CGCS2000。`, profile.crsSeverity));
    } else if (!isCgcs2000(content.crs)) {
      const d = notCgcs2000(path, content.crs, profile.crsSeverity);
      defects.push({ ...d, message: `${what}的${d.message}` });
    } else if (!content.bbox) {
      defects.push(defect(path, 'extent.unknown', `${what}在 gpkg_contents 中未记录范围，无法核对数据范围。`, 'warning'));
    } else {
      const extent = checkExtent({ file: path, bbox: content.bbox, crs: content.crs, region, severity: profile.extentSeverity, what });
      layer.extent = extent.lonLat;
      defects.push(...extent.defects);
    }
  }
  result.layers = layers;
  result.crs = layers[0]?.crs ?? null;
  result.extent = layers[0]?.extent ?? null;
  return defects;
}

/** Package-wide checks and the verdict, from the units' results. */
export function assembleReport(input: {
  manifest: readonly ManifestEntry[];
  presentPaths: readonly string[];
  theme: ThemeId;
  regionCode: string;
  units: readonly UnitResult[];
  checkedAt: Date;
}): VerificationReport {
  const { profile, region } = contextOf(input.theme, input.regionCode);
  const present = new Set(input.presentPaths);
  const files = input.units.flatMap((u) => u.files).sort((a, b) => (a.path < b.path ? -1 : 1));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const defects: Defect[] = input.units.flatMap((u) => u.defects);

  // Completeness (完整性): the manifest and the stored files must agree exactly.
  const listed = new Set<string>();
  for (const entry of input.manifest) {
    if (listed.has(entry.path)) {
      defects.push(defect(entry.path, 'manifest.duplicate-entry', '清单中重复列出了该文件，请删除重复项。'));
      continue;
    }
    listed.add(entry.path);
    if (!present.has(entry.path)) {
      defects.push(defect(entry.path, 'manifest.missing-file', `清单列出的文件未上传（${fileRoleLabels[entry.role]}），请补传或从清单中删除。`));
    }
  }
  for (const path of [...present].sort()) {
    if (!listed.has(path)) defects.push(defect(path, 'manifest.extra-file', '成果包中有清单未列出的文件，请在清单中补充说明或删除该文件。'));
  }

  // The theme's profile: required roles and acceptable formats per role.
  for (const role of profile.requiredRoles) {
    if (!input.manifest.some((e) => e.role === role)) {
      defects.push(defect('', 'profile.missing-role', `${profile.label}成果应包含“${fileRoleLabels[role]}”类文件，清单中没有，请补交。`));
    }
  }
  const shapefileMembers = new Set(shapefileSets(input.presentPaths).filter((s) => s.shp).flatMap(setMembers));
  const formatFlagged = new Set(defects.filter((d) => d.rule.startsWith('format.')).map((d) => d.file));
  for (const entry of input.manifest) {
    const file = byPath.get(entry.path);
    if (!file || formatFlagged.has(entry.path)) continue;
    const accepted = profile.acceptedFormats[entry.role];
    const format = shapefileMembers.has(entry.path) ? 'shapefile' : file.format;
    if (!accepted.includes(format)) {
      defects.push(
        defect(
          entry.path,
          'profile.format-not-allowed',
          `${profile.label}成果的“${fileRoleLabels[entry.role]}”不接受${format === 'shapefile' ? ' Shapefile' : formatLabels[file.format]}格式，可接受：${accepted.map((f) => (f === 'shapefile' ? 'Shapefile' : formatLabels[f])).join('、')}。`,
        ),
      );
    }
  }
  if (profile.followsOwnRules) {
    defects.push(
      defect('', 'profile.follows-own-rules', `${profile.label}按其现有规定管理（《办法》第（二十二）项），本次仅做通用技术核验，专项质检请按相应标准另行开展。`, 'warning'),
    );
  }

  const sorted = sortDefects(defects);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const headerBytesRead = files.reduce((n, f) => n + f.reads.headerBytes, 0);
  const streamedBytes = files.reduce((n, f) => n + f.reads.streamedBytes, 0);
  return {
    passed: errors === 0,
    checkedAt: input.checkedAt.toISOString(),
    theme: profile.id,
    regionCode: input.regionCode,
    profile: { id: profile.id, label: profile.label, followsOwnRules: profile.followsOwnRules },
    region: { code: region.code, name: region.name },
    files,
    defects: sorted,
    summary: {
      files: files.length,
      errors,
      warnings: sorted.length - errors,
      checksumsFromStore: files.filter((f) => f.checksumSource === 'store').length,
      checksumsStreamed: files.filter((f) => f.checksumSource === 'streamed').length,
    },
    bytesRead: headerBytesRead + streamedBytes,
    headerBytesRead,
    streamedBytes,
    packageBytes: files.reduce((n, f) => n + f.size, 0),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
