import * as z from 'zod/mini';

/** What a user may do; a user holds one or more. */
export const roles = [
  'submitter', // 实施单位填报人: opens submissions, uploads packages
  'reviewer', // 组织部门审核人: technical review, approvals
  'custodian', // 保管单位: receipt, numbering, catalogue, hand-over
  'requester', // 需求部门: applies for results
  'publisher', // 发布审批人: approves publication
  'supervisor', // 监督人员: watches deadlines, bulletins
  'administrator', // 系统管理员: organisations, users, calendar
] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const roleLabels: Record<Role, string> = {
  submitter: '成果汇交人',
  reviewer: '技术审核人',
  custodian: '成果保管人',
  requester: '成果需求人',
  publisher: '发布审批人',
  supervisor: '监督人员',
  administrator: '系统管理员',
};

/** Classifications are reference data now (issue 9); re-exported for the importers that take roles and clearances together. */
export {
  classificationLabels,
  classificationSchema,
  classifications,
  clearanceAllows,
  isClassified,
  type Classification,
} from '#shared/reference/classifications.ts';
