import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { defectSchema, submissionIdSchema } from './submission.ts';
import { themeIdSchema } from './theme.ts';

/** The verification report of one round (R7.1, R7.2: every round's report is kept). */
const versionPath = z.object({
  submissionId: submissionIdSchema,
  n: z.coerce.number({ error: '版本号应为正整数' }).int('版本号应为正整数').min(1, '版本号应为正整数').max(9999, '版本号不超过 9999').describe('版本号 n（v1 为 1）'),
});

/** What a report page link must name to be one: the same shape as the report routes' path. */
export const reportPagePathSchema = versionPath;

export const verificationReportSchema = z
  .object({
    passed: z.boolean(),
    checkedAt: z.string(),
    theme: themeIdSchema,
    regionCode: z.string(),
    profile: z.object({ id: themeIdSchema, label: z.string(), followsOwnRules: z.boolean() }),
    region: z.object({ code: z.string(), name: z.string() }),
    files: z.array(z.object({ path: z.string(), size: z.number(), format: z.string(), checksumSource: z.enum(['store', 'streamed']).nullable() }).loose()),
    defects: z.array(defectSchema),
    summary: z.object({ files: z.number(), errors: z.number(), warnings: z.number(), checksumsFromStore: z.number(), checksumsStreamed: z.number() }),
    bytesRead: z.number(),
    headerBytesRead: z.number(),
    streamedBytes: z.number(),
    packageBytes: z.number(),
  })
  .describe('技术核验报告：每项问题注明文件、规则、说明与严重程度');

export const verificationContracts = {
  GetVerificationReport: contract({
    path: versionPath,
    response: verificationReportSchema,
    description: '某一版本（核验轮次）的技术核验报告（JSON）。仅组织、实施、保管单位及其上级可查看；自动核验尚未完成时 404。',
  }),
  GetVerificationReportHtml: contract({
    path: versionPath,
    produces: 'text/html',
    description: '同一报告的中文 HTML 页面（无脚本、无外部资源）。权限同上。',
  }),
  ReportPage: contract({
    // Loose on purpose: the page answers 200 whatever the link says (an invalid-link page), so a link checker learns nothing from the status.
    path: z.object({ submissionId: z.string().min(1).max(128).describe('汇交编号（UUID）'), n: z.string().min(1).max(16).describe('版本号 n（v1 为 1）') }),
    produces: 'text/html',
    description:
      '邮件和命令行给出的核验报告链接打开的页面（无需令牌）：页面本身不含报告内容——它在浏览器中用已登录用户的令牌读取 report.html 并显示；未登录时显示登录链接。',
  }),
};
