/** The self-inspection's checklist areas and a unit's filing states (R20.1), apart so the context module's schemas stay small. */
export const checklistAreas = ['storage', 'access', 'media', 'training'] as const;
export type ChecklistArea = (typeof checklistAreas)[number];
export const checklistLabels: Record<ChecklistArea, string> = {
  storage: '存储（涉密成果存放场所、设备与备份）',
  access: '访问控制（账号、密级权限、访问记录）',
  media: '介质管理（移动介质登记、使用与销毁）',
  training: '人员培训（保密教育与培训）',
};

export const unitStatuses = ['late', 'filedLate', 'pending', 'filed'] as const;
export type UnitStatus = (typeof unitStatuses)[number];
export const unitStatusLabels: Record<UnitStatus, string> = { filed: '已按期填报', filedLate: '逾期填报', pending: '尚未填报（未到期）', late: '逾期未填报' };
