/**
 * A survey task's registration (R6.1, R13.2) names its region, checked against the GB/T 2260 code table
 * (regionCodeSchema): it lives apart from shared/schemas/submission.ts, which every function reading a submission
 * carries, so the table (≈ 26 KB) stays in the functions that take a region as input (issue 10).
 */
import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { themeIdSchema } from '#shared/reference/themes.ts';
import { regionCodeSchema } from './identity.ts';
import { orgCodeSchema, surveyPeriodSchema } from './submission.ts';

export const surveyTaskInputSchema = z.object({
  name: described(z.string({ error: '请填写任务名称' }).check(z.trim()).check(z.minLength(2, '任务名称至少 2 个字')).check(z.maxLength(200, '任务名称不超过 200 字')), '任务名称'),
  theme: described(themeIdSchema, '成果专题：landSurvey 国土调查 · forest 森林 · grassland 草原 · wetland 湿地 · water 水资源 · landCover 地表覆盖；以及 R22.1 另行规定的类别'),
  regionCode: described(regionCodeSchema, '调查区域行政区划代码（GB/T 2260）'),
  implementerOrg: described(orgCodeSchema, '实施单位组织代码'),
  custodianOrg: described(z.optional(orgCodeSchema), '保管单位组织代码（R4.1）；不填则采用组织单位为该专题设定的常设保管单位'),
  description: described(z.optional(z.string().check(z.trim()).check(z.maxLength(2000, '说明不超过 2000 字'))), '任务说明'),
  period: described(z.optional(surveyPeriodSchema), '调查时段 {from, to}；用于提示时空专题重叠的已有成果（R13.2）'),
  reviewOrg: described(z.optional(orgCodeSchema), '技术审核由哪个单位决定（R7.1）：组织单位设定的技术单位之一；不填则由组织单位本身的审核人决定'),
  countersignOrgs: described(z.optional(z
    .array(orgCodeSchema).check(z.maxLength(20, '会签单位不超过 20 个'))), '技术审核前须先给出会签意见（同意/不同意）的单位（R7.1）：组织单位设定的技术单位，或本任务的保管单位'),
  parentTaskId: described(
    z.optional(z.string().check(z.trim()).check(z.minLength(1, '上级任务编号不能为空')).check(z.maxLength(64, '上级任务编号不超过 64 个字符'))),
    '分级实施（R11.1）：上一级组织单位的同专题调查监测任务（如国家级任务之下的省级部分）；本任务成果的发布须待上一级任务的成果发布之后',
  ),
});
export type SurveyTaskInput = z.infer<typeof surveyTaskInputSchema>;
