import { z } from 'zod';

/**
 * Result themes. The six survey themes go through the submission workflow;
 * the R22.1 categories (surveying-and-mapping products, important geographic
 * information, geological and marine data) follow their own rules and are
 * marked so (see shared/verification/profiles.ts).
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
