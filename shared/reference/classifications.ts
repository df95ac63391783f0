import * as z from 'zod/mini';

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
