/**
 * The demo's data (infra/local/demo.ts writes it): plain values with no
 * runtime imports, so that the startup banner can count them without
 * loading the domain modules.
 */
import type { Classification } from '#shared/reference/classifications.ts';
import type { SharingMode } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
export const demoActor = 'system:demo';
export const demoMark = '【演示数据】';

/** Real extents (CGCS2000 degrees, [west, south, east, north]) of the demo regions. */
export const demoRegions = {
  '440000': { name: '广东省', bbox: [109.66, 20.22, 117.32, 25.52] },
  '440100': { name: '广州市', bbox: [112.95, 22.56, 114.05, 23.94] },
  '440117': { name: '广州市从化区', bbox: [113.27, 23.37, 114.05, 23.94] },
} as const satisfies Record<string, { name: string; bbox: readonly [number, number, number, number] }>;
export type DemoRegion = keyof typeof demoRegions;

export interface DemoResult {
  readonly key: string;
  /** The department that organised the survey: its reviewer registers the task. */
  readonly organiser: string;
  readonly theme: ThemeId;
  readonly region: DemoRegion;
  readonly name: string;
  readonly content: string;
  readonly format: string;
  readonly timePoint: string;
  readonly classification: Classification;
  readonly sharingMode: SharingMode;
}

const gdFormats = 'GeoPackage、Shapefile、GeoTIFF、PDF、XML';

/** Historic results, imported as verified and catalogued (custodian 440000-CUS, implementer 440000-IMP). */
export const historicResults: readonly DemoResult[] = [
  {
    key: 'gd-bgdc-2025',
    organiser: 'chen.jing',
    theme: 'landSurvey',
    region: '440000',
    name: '2025年度广东省国土变更调查成果',
    content: '全省土地利用现状变更数据库、耕地和永久基本农田变化图斑、年度变更调查统计表、变更调查报告与元数据',
    format: gdFormats,
    timePoint: '2025-12-31',
    classification: 'public',
    sharingMode: 'online',
  },
  {
    key: 'gd-sandiao-2019',
    organiser: 'chen.jing',
    theme: 'landSurvey',
    region: '440000',
    name: '广东省第三次全国国土调查主要数据成果',
    content: '以 2019 年 12 月 31 日为标准时点的全省土地利用现状数据库、分类面积统计汇总表、专题图件与主要数据公报',
    format: gdFormats,
    timePoint: '2019-12-31',
    classification: 'public',
    sharingMode: 'online',
  },
  {
    key: 'gd-wetland-2024',
    organiser: 'chen.jing',
    theme: 'wetland',
    region: '440000',
    name: '2024年度广东省湿地资源监测成果',
    content: '全省湿地类型、面积与分布数据库，红树林及重要湿地监测样地记录，湿地保护率统计与年度监测报告',
    format: 'GeoPackage、Shapefile、XLSX、PDF',
    timePoint: '2024-12-31',
    classification: 'internal',
    sharingMode: 'conditional',
  },
  {
    key: 'gz-forest-2024',
    organiser: 'huang.wei',
    theme: 'forest',
    region: '440100',
    name: '广州市森林资源年度监测成果（2024年度）',
    content: '广州市森林覆盖率、森林蓄积量、林地变化图斑与一类样地复测数据，森林资源年度监测报告',
    format: 'GeoPackage、Shapefile、GeoTIFF、PDF',
    timePoint: '2024-12-31',
    classification: 'public',
    sharingMode: 'online',
  },
  {
    key: 'gz-landcover-2025',
    organiser: 'huang.wei',
    theme: 'landCover',
    region: '440100',
    name: '2025年广州市地表覆盖监测成果',
    content: '广州市 2 米分辨率地表覆盖分类数据（耕地、林草、水域、建设用地等）、变化检测图斑与精度评价报告',
    format: 'GeoTIFF、GeoPackage、PDF',
    timePoint: '2025-06-30',
    classification: 'internal',
    sharingMode: 'online',
  },
  {
    key: 'ch-water-2025',
    organiser: 'huang.wei',
    theme: 'water',
    region: '440117',
    name: '从化区2025年度水资源调查监测成果',
    content: '从化区流溪河流域地表水体分布、水库水面面积与蓄水量监测、水资源调查统计表与调查报告',
    format: 'Shapefile、XLSX、PDF',
    timePoint: '2025-09-30',
    classification: 'public',
    sharingMode: 'offline',
  },
];

/** Classified (秘密, R5.1): recorded as held offline by the custodian and catalogued — never uploaded. */
export const classifiedResult: DemoResult = {
  key: 'gd-base-secret-2025',
  organiser: 'chen.jing',
  theme: 'landSurvey',
  region: '440000',
  name: '2025年度广东省国土变更调查高精度基础数据成果',
  content: '含高精度坐标的全省变更调查基础数据库与 1:1 万影像底图（涉密，离线保管）',
  format: 'GDB、GeoTIFF',
  timePoint: '2025-12-31',
  classification: 'secret',
  sharingMode: 'notShared',
};

/** Uploaded and verified for real, then waiting for 陈静's technical review (completion 20 days ago). */
export const liveResult: DemoResult = {
  key: 'gd-bgdc-2026-q3',
  organiser: 'chen.jing',
  theme: 'landSurvey',
  region: '440000',
  name: '2026年度广东省国土变更调查（第三季度）阶段成果',
  content: '第三季度全省土地利用变化图斑、耕地变化监测数据库、阶段调查报告与元数据',
  format: gdFormats,
  timePoint: '2026-09-30',
  classification: 'internal',
  sharingMode: 'online',
};

/**
 * Uploaded with coordinates in WGS 84 instead of CGCS2000: the real
 * automated checks return it, and 李娜 gets the defects and the R7.2
 * resubmission date by email (completion 18 days ago).
 */
export const returnedResult: DemoResult = {
  key: 'gd-farmland-2026',
  organiser: 'chen.jing',
  theme: 'landSurvey',
  region: '440000',
  name: '2026年度广东省耕地保护成效监测成果',
  content: '全省耕地和永久基本农田数量、质量变化监测图斑，耕地“非农化”“非粮化”核查记录与监测报告',
  format: gdFormats,
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
};

/**
 * R7.1: uploaded and checked for real; its survey task names the technical unit 广东省国土资源测绘院 to countersign,
 * so the round waits for 郭涛's opinion (an email with the task link) before 陈静's review (completion 16 days ago).
 */
export const countersignResult: DemoResult = {
  key: 'gd-bgdc-2026-q2',
  organiser: 'chen.jing',
  theme: 'landSurvey',
  region: '440000',
  name: '2026年度广东省国土变更调查（第二季度）阶段成果',
  content: '第二季度全省土地利用变化图斑、耕地变化监测数据库、阶段调查报告与元数据',
  format: gdFormats,
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
};
/** The unit that countersigns countersignResult (a technical unit the organiser 440000-NR designated). */
export const countersignUnit = '440000-TEC';

/** Completion recorded 10 days ago, nothing submitted yet: the R6.1 30-working-day clock is running. */
export const pendingTask = {
  key: 'ch-forest-2026',
  organiser: 'huang.wei',
  theme: 'forest' as ThemeId,
  region: '440117' as DemoRegion,
  name: '2026年度从化区森林督查暨森林资源管理“一张图”年度更新',
};
