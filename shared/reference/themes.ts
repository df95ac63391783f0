import * as z from 'zod/mini';

/**
 * Result themes. The six survey themes go through the submission workflow;
 * the R22.1 categories (surveying-and-mapping products, important geographic
 * information, geological and marine data) follow their own rules and are
 * marked so (see themeProfiles below).
 */
export const surveyThemes = [
  'landSurvey', // 国土调查
  'forest', // 森林资源
  'grassland', // 草原资源
  'wetland', // 湿地资源
  'water', // 水资源
  'landCover', // 地表覆盖
] as const;

/** R22.1: categories that follow their own rules. */
export const ownRulesCategories = [
  'satelliteImagery', // 卫星遥感影像
  'aerialPhotography', // 航空摄影
  'dom', // 数字正射影像（DOM）
  'dem', // 数字高程模型（DEM）
  'dsm', // 数字表面模型（DSM）
  'importantGeographicInformation', // 重要地理信息数据
  'geological', // 地质调查
  'marine', // 海洋调查
] as const;

export const themeIds = [...surveyThemes, ...ownRulesCategories] as const;
export const themeIdSchema = z.enum(themeIds, { error: '成果专题不在支持范围内' });
export type ThemeId = z.infer<typeof themeIdSchema>;

/** What a file in a package is (R1.1: data, maps, reports, technical documents; plus metadata). */
export const fileRoles = ['data', 'map', 'report', 'metadata', 'technicalDocument'] as const;
export const fileRoleSchema = z.enum(fileRoles, { error: '文件角色应为 data、map、report、metadata 或 technicalDocument' });
export type FileRole = z.infer<typeof fileRoleSchema>;

export const fileRoleLabels: Record<FileRole, string> = {
  data: '数据',
  map: '图件',
  report: '报告',
  metadata: '元数据',
  technicalDocument: '技术文档',
};
import type { Severity } from '#shared/verification/defects.ts';
import type { DetectedFormat } from '#shared/verification/formats.ts';

/**
 * Theme profiles: what a package of each theme must contain, in the spirit of
 * BagIt profiles (https://bagit-profiles.github.io/bagit-profiles-specification/):
 * a profile names the roles a package must carry (like `Manifests-Required` /
 * `Tag-Files-Required`) and the formats acceptable per role (like
 * `Accept-Serialization`), so the verifier stays generic and the rules are data.
 *
 * `shapefile` stands for a whole shapefile set (.shp/.shx/.dbf/.prj/.cpg and
 * index sidecars). The R22.1 categories are marked `followsOwnRules`: they are
 * governed by their own standards (e.g. CH/T for DOM/DEM, sea-area rules for
 * marine data), so this verifier only runs its generic checks on them and
 * lowers the CRS and extent checks to warnings where those rules differ.
 */
export type ProfileFormat = DetectedFormat | 'shapefile';

export interface ThemeProfile {
  readonly id: ThemeId;
  readonly label: string;
  readonly followsOwnRules: boolean;
  readonly requiredRoles: readonly FileRole[];
  readonly acceptedFormats: Readonly<Record<FileRole, readonly ProfileFormat[]>>;
  /** How a non-CGCS2000 coordinate system counts. */
  readonly crsSeverity: Severity;
  /** How data outside the declared region counts. */
  readonly extentSeverity: Severity;
}

const vectorAndTable: readonly ProfileFormat[] = ['shapefile', 'geopackage', 'dbf', 'csv', 'xlsx', 'ole2'];
const raster: readonly ProfileFormat[] = ['geotiff'];
const documents: readonly ProfileFormat[] = ['pdf', 'docx', 'ole2'];

const standardFormats: Readonly<Record<FileRole, readonly ProfileFormat[]>> = {
  data: [...vectorAndTable, ...raster],
  map: ['pdf', 'geotiff', 'tiff', 'jpeg', 'png'],
  report: documents,
  metadata: ['xml', 'csv', 'text', 'xlsx', 'ole2'],
  technicalDocument: [...documents, 'xlsx', 'csv', 'text', 'xml'],
};

function survey(id: ThemeId, label: string, requiredRoles: readonly FileRole[]): ThemeProfile {
  return { id, label, followsOwnRules: false, requiredRoles, acceptedFormats: standardFormats, crsSeverity: 'error', extentSeverity: 'error' };
}

function ownRules(id: ThemeId, label: string, data: readonly ProfileFormat[], opts: { crsSeverity?: Severity; extentSeverity?: Severity } = {}): ThemeProfile {
  return {
    id,
    label,
    followsOwnRules: true,
    requiredRoles: ['data', 'metadata'],
    acceptedFormats: { ...standardFormats, data },
    crsSeverity: opts.crsSeverity ?? 'error',
    extentSeverity: opts.extentSeverity ?? 'warning',
  };
}

export const themeProfiles: Readonly<Record<ThemeId, ThemeProfile>> = {
  // 国土调查: 数据库、图件、报告、元数据 (the 三调 delivery list).
  landSurvey: survey('landSurvey', '国土调查', ['data', 'map', 'report', 'metadata']),
  forest: survey('forest', '森林资源', ['data', 'map', 'report', 'metadata']),
  grassland: survey('grassland', '草原资源', ['data', 'map', 'report', 'metadata']),
  wetland: survey('wetland', '湿地资源', ['data', 'map', 'report', 'metadata']),
  // 水资源 results are mostly statistical tables and reports; maps are optional.
  water: survey('water', '水资源', ['data', 'report', 'metadata']),
  landCover: survey('landCover', '地表覆盖', ['data', 'report', 'metadata']),

  satelliteImagery: ownRules('satelliteImagery', '卫星遥感影像', ['geotiff', 'tiff', 'jpeg', 'png']),
  aerialPhotography: ownRules('aerialPhotography', '航空摄影', ['geotiff', 'tiff', 'jpeg', 'png']),
  dom: ownRules('dom', '数字正射影像（DOM）', ['geotiff']),
  dem: ownRules('dem', '数字高程模型（DEM）', ['geotiff']),
  dsm: ownRules('dsm', '数字表面模型（DSM）', ['geotiff']),
  importantGeographicInformation: ownRules('importantGeographicInformation', '重要地理信息数据', [...vectorAndTable, ...raster]),
  geological: ownRules('geological', '地质调查', [...vectorAndTable, ...raster], { crsSeverity: 'warning' }),
  // Marine data may use sea-area datums and lie beyond any province's land box.
  marine: ownRules('marine', '海洋调查', [...vectorAndTable, ...raster], { crsSeverity: 'warning', extentSeverity: 'warning' }),
};

export function profileFor(theme: ThemeId): ThemeProfile {
  return themeProfiles[theme];
}
