import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { defectSchema, submissionIdSchema } from './submission.ts';
import { themeIdSchema } from './theme.ts';

/** The path of a report of one round (R7.1, R7.2: every round's report is kept); a report page link must name the same to be one. */
export const reportPagePathSchema = z.object({
  submissionId: submissionIdSchema,
  n: described(z.coerce.number({ error: '版本号应为正整数' }).check(z.int('版本号应为正整数')).check(z.gte(1, '版本号应为正整数')).check(z.lte(9999, '版本号不超过 9999')), '版本号 n（v1 为 1）'),
});

/** The verification report of one round (R7.1, R7.2). */
export const verificationReportSchema = described(z
  .object({
    passed: z.boolean(),
    checkedAt: z.string(),
    theme: themeIdSchema,
    regionCode: z.string(),
    profile: z.object({ id: themeIdSchema, label: z.string(), followsOwnRules: z.boolean() }),
    region: z.object({ code: z.string(), name: z.string() }),
    files: z.array(z.looseObject({ path: z.string(), size: z.number(), format: z.string(), checksumSource: z.nullable(z.enum(['store', 'streamed'])) })),
    defects: z.array(defectSchema),
    summary: z.object({ files: z.number(), errors: z.number(), warnings: z.number(), checksumsFromStore: z.number(), checksumsStreamed: z.number() }),
    bytesRead: z.number(),
    headerBytesRead: z.number(),
    streamedBytes: z.number(),
    packageBytes: z.number(),
  }), '技术核验报告：每项问题注明文件、规则、说明与严重程度');
