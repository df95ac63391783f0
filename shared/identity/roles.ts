import { z } from 'zod';

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

/** 密级 (R5.1), ordered: a clearance reads everything at or below it. */
export const classifications = ['public', 'internal', 'secret', 'confidential', 'topSecret'] as const;
export const classificationSchema = z.enum(classifications);
export type Classification = z.infer<typeof classificationSchema>;

export const classificationLabels: Record<Classification, string> = {
  public: '公开',
  internal: '内部',
  secret: '秘密',
  confidential: '机密',
  topSecret: '绝密',
};

export function clearanceAllows(clearance: Classification, classification: Classification): boolean {
  return classifications.indexOf(clearance) >= classifications.indexOf(classification);
}

/** 秘密 and above never enter cloud storage (R5.1). */
export function isClassified(c: Classification): boolean {
  return classifications.indexOf(c) >= classifications.indexOf('secret');
}
