import * as z from 'zod/mini';
import { surveyTaskInputSchema } from '#shared/schemas/survey-task-input.ts';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { maxFilesPerVersion } from '#shared/submission/manifest.ts';
import { maxUrlsPerCall, urlExpirySeconds } from '#shared/submission/upload-plan.ts';
import { isoDateSchema } from '#shared/schemas/calendar.ts';
import { overlapSchema } from '#shared/schemas/catalogue.ts';
import {
  catalogueSchema,
  deadlineViewSchema,
  manifestFilesSchema,
  manifestPathSchema,
  orgCodeSchema,
  sha256HexSchema,
  submissionIdSchema,
  submissionSchema,
  surveyTaskSchema,
  taskIdSchema,
  timelineEventTypeSchema,
  versionSchema,
  versionStatusSchema,
} from '#shared/schemas/submission.ts';
import { reviewArrangementInputSchema } from '#shared/schemas/review-arrangement.ts';

/**
 * A manifest of 10,000 files is about 1.5–3 MB of JSON; the default 1 MiB
 * body limit would refuse it. 4 MiB stays inside Lambda's 6 MB invocation
 * payload once the body is escaped into the event.
 */
export const manifestBodyBytes = 4 * 1024 * 1024;

const versionNumber = described(z.coerce
  .number({ error: '版本号应为正整数' }).check(z.int('版本号应为正整数')).check(z.gte(1, '版本号应为正整数')).check(z.lte(9999, '版本号不超过 9999')), '版本号 n（v1 为 1）');

const taskPath = z.object({ taskId: taskIdSchema });
const submissionPath = z.object({ submissionId: submissionIdSchema });
const versionPath = z.object({ submissionId: submissionIdSchema, n: versionNumber });

export const surveyTaskViewSchema = z.extend(surveyTaskSchema, {
  themeLabel: z.string(),
  deadline: described(z.nullable(deadlineViewSchema), 'R6.1 汇交期限；未登记完成日期时为 null'),
  ownRulesNote: described(z.optional(z.string()), 'R22.1 另有规定类别的说明'),
});

export const submissionSummarySchema = z.object({
  submissionId: z.string(),
  name: z.string(),
  status: submissionSchema.shape.status,
  statusLabel: z.string(),
  currentVersion: z.number().check(z.int()),
  classification: submissionSchema.shape.classification,
  createdAt: z.string(),
});

export const versionViewSchema = z.extend(z.omit(versionSchema, { manifestId: true }), {
  statusLabel: z.string(),
  keyPrefix: described(z.string(), '该版本在上传存储桶中的前缀 submissions/<汇交编号>/v<n>/'),
});

export const submissionViewSchema = z.extend(submissionSchema, {
  statusLabel: z.string(),
  classificationLabel: z.string(),
  sharingModeLabel: z.string(),
  deadlines: described(z.array(deadlineViewSchema), 'R7.2 每次退回后的重新汇交期限；R8.1 核验通过后的移交期限'),
  versions: z.array(versionViewSchema),
});

const signedRequestShape = {
  url: described(z.string(), '预签名地址（1 小时内有效）'),
  headers: described(z.record(z.string(), z.string()), '必须原样携带的请求头：它们是签名的一部分'),
  expiresAt: z.string(),
};

export const uploadInstructionSchema = z.object({
  path: z.string(),
  size: z.number(),
  kind: z.enum(['single', 'multipart']),
  status: z.enum(['uploaded', 'pending']),
  method: z.optional(z.literal('PUT')),
  url: z.optional(signedRequestShape.url),
  headers: z.optional(signedRequestShape.headers),
  expiresAt: z.optional(z.string()),
  uploadId: z.optional(z.string()),
  partSize: z.optional(z.number().check(z.int())),
  partCount: z.optional(z.number().check(z.int())),
  parts: z.optional(z.array(z.object({ partNumber: z.number().check(z.int()), size: z.number().check(z.int()), method: z.literal('PUT'), ...signedRequestShape }))),
  partsNeedChecksums: described(z.optional(z.boolean()), '分片地址按每个分片的 SHA-256 签名：请在 files[].parts 中提供分片编号与校验值后再次申请'),
});

export const fileUploadStatusSchema = z.object({
  path: z.string(),
  size: z.number(),
  kind: z.enum(['single', 'multipart']),
  status: z.enum(['uploaded', 'missing', 'partial', 'expired', 'mismatch']),
  uploadId: z.optional(z.string()),
  partSize: z.optional(z.number().check(z.int())),
  partCount: z.optional(z.number().check(z.int())),
  partsArrived: z.optional(z.array(z.object({ partNumber: z.number().check(z.int()), etag: z.string(), size: z.number(), sha256: z.optional(z.string()) }))),
  partsMissing: z.optional(z.array(z.number().check(z.int()))),
  partsKnown: z.optional(z.boolean()),
});

const cursorSchema = described(z.optional(z.string().check(z.maxLength(2048, '分页游标无效'))), '上一页返回的 nextCursor / cursor');

export const issueUploadUrlsBodySchema = z._default(z
  .object({
    files: described(z.optional(z
      .array(
        z.object({
          path: manifestPathSchema,
          parts: described(z.optional(z
            .array(
              z.object({
                partNumber: z.number({ error: '分片编号应为整数' }).check(z.int('分片编号应为整数')).check(z.gte(1, '分片编号从 1 开始')).check(z.lte(10_000, '分片编号不超过 10000')),
                sha256: described(sha256HexSchema, '该分片内容的 SHA-256（64 位小写十六进制）'),
              }),
            ).check(z.maxLength(maxUrlsPerCall, `单次最多申请 ${maxUrlsPerCall} 个分片地址`))), '分片上传：要签发地址的分片及其 SHA-256'),
        }),
      ).check(z.minLength(1, '请至少指定一个文件，或不填 files 按清单顺序申请')).check(z.maxLength(maxUrlsPerCall, `单次最多指定 ${maxUrlsPerCall} 个文件`)).check(z.superRefine((files, ctx) => {
        const seen = new Map<string, number>();
        files.forEach((f, i) => {
          const first = seen.get(f.path);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `文件 ${f.path} 与第 ${first} 项重复` });
          else seen.set(f.path, i);
        });
      }))), '要申请地址的文件；不填则按路径顺序返回尚未上传的文件（每次最多 1000 个，用 cursor 翻页）'),
    cursor: cursorSchema,
  }), {});

const listLimit = (max: number, dflt: number) =>
  described(z._default(z.coerce
    .number({ error: '每页条数应为整数' }).check(z.int('每页条数应为整数')).check(z.gte(1, `每页条数应在 1–${max} 之间`)).check(z.lte(max, `每页条数应在 1–${max} 之间`)), dflt), `每页条数，1–${max}，默认 ${dflt}`);

export const timelineEntrySchema = z.object({
  at: described(z.string(), '时间（ISO 8601）；期限条目位于期限当日结束时（中国时间）'),
  type: z.union([timelineEventTypeSchema, z.literal('deadline')]),
  label: z.string(),
  actor: z.optional(z.string()),
  n: z.optional(z.number().check(z.int())),
  detail: z.optional(z.record(z.string(), z.unknown())),
  deadline: z.optional(deadlineViewSchema),
});

/** Contracts of the submission routes (R5.1, R6.1, R7.1, R7.2, R9.2), keyed by manifest function name. */
export const submissionContracts = {
  RegisterSurveyTask: contract({
    success: [201],
    body: surveyTaskInputSchema,
    response: z.object({
      task: surveyTaskViewSchema,
      overlaps: described(z.optional(z.array(overlapSchema)), 'R13.2 与本任务在区域、时间、专题上重叠的已有成果目录条目（仅列出本人密级权限可见的）'),
      overlapHint: described(z.optional(z.string()), '有重叠时：“已有成果可共享，避免重复调查”'),
    }),
    description:
      '组织部门（自然资源或林业和草原主管部门）的审核人或系统管理员登记调查监测任务：专题、调查区域（GB/T 2260，须在本单位辖区内）、实施单位、保管单位（R4.1）。R22.1 另有规定的类别予以标记。返回 201。',
  }),
  ListSurveyTasks: contract({
    query: z.object({
      org: described(z.optional(orgCodeSchema), '组织代码；不填为本单位。可查看本单位或下级单位'),
      as: described(z.optional(z.enum(['organiser', 'implementer'])), 'organiser 组织的任务 · implementer 实施的任务；不填按单位类型'),
      limit: listLimit(100, 50),
      cursor: cursorSchema,
    }),
    response: z.object({ org: z.string(), as: z.enum(['organiser', 'implementer']), items: z.array(surveyTaskViewSchema), cursor: z.optional(z.string()) }),
    description: '调查监测任务列表（新登记的在前），每项附 R6.1 汇交期限、剩余工作日与逾期标记。',
  }),
  GetSurveyTask: contract({
    path: taskPath,
    response: z.object({ task: surveyTaskViewSchema, submissions: z.array(submissionSummarySchema) }),
    description: '任务详情、R6.1 汇交期限（按今天计算剩余工作日、是否逾期、是否暂定）及其汇交。仅组织、实施、保管单位及其上级可查看。',
  }),
  RecordTaskCompletion: contract({
    path: taskPath,
    body: z.object({ completionDate: described(isoDateSchema, '调查工作完成日期（不晚于今天）') }),
    response: z.object({ task: surveyTaskViewSchema, changed: z.boolean() }),
    description:
      '实施单位汇交人登记调查工作完成日期，汇交期限为其后第 30 个工作日（R6.1，按国务院节假日安排）。同一日期重复提交不产生变更；已有成果封存后不可修改。',
  }),
  ChangeReviewArrangement: contract({
    path: taskPath,
    body: reviewArrangementInputSchema,
    response: z.object({ task: surveyTaskViewSchema, changed: z.boolean() }),
    description:
      '组织单位的技术审核人或系统管理员在登记后修改任务的技术审核单位（reviewOrg）与会签单位（countersignOrgs）（R7.1）：须为组织单位设定的技术单位或本任务的保管单位，否则 400 NOT_DESIGNATED。' +
      'rev 为读取时的安排版本（arrangementRev，从未修改为 0），期间已被他人修改则 409 ARRANGEMENT_CHANGED。修改只适用于此后封存的汇交轮次：已封存（核验中、会签中、待审核）的轮次沿用封存时的安排。相同安排重复提交不产生变更。',
  }),
  OpenSubmission: contract({
    success: [201],
    path: taskPath,
    body: z.object({ catalogue: catalogueSchema, files: manifestFilesSchema }),
    maxBodyBytes: manifestBodyBytes,
    response: z.object({ submission: submissionViewSchema }),
    description:
      `实施单位汇交人新建汇交：R9.2 目录信息与第 1 版文件清单（路径、大小、SHA-256、角色；每版最多 ${maxFilesPerVersion} 个文件，相对 POSIX 路径，不含“..”、反斜杠或控制字符，不区分大小写不得重复，不接受空文件）。返回 201。` +
      '密级为秘密及以上的成果不得上传（R5.1）：登记为由保管单位离线保管，返回 409 CLASSIFIED_HELD_OFFLINE 及说明，响应中附已登记的汇交记录。',
  }),
  CreateSubmissionVersion: contract({
    success: [201],
    path: submissionPath,
    body: z.object({ catalogue: described(z.optional(catalogueSchema), '修改后的目录信息；不填沿用上一版'), files: manifestFilesSchema }),
    maxBodyBytes: manifestBodyBytes,
    response: z.object({ submission: submissionViewSchema }),
    description: '最新版本被退回后（R7.2），实施单位汇交人提交同一汇交的下一版本（v2、v3…），重新核验；已核验入库的成果经组织单位核实重大质量问题并责令改正后（R19.3），实施单位提交更正版本（同样上传、核验、移交入库，核验通过并入库后成为成果目录的现行版本，原版本保留）。其他状态返回 409。返回 201。',
  }),
  IssueUploadUrls: contract({
    path: versionPath,
    body: issueUploadUrlsBodySchema,
    response: z.object({
      submissionId: z.string(),
      n: z.number().check(z.int()),
      files: z.array(uploadInstructionSchema),
      urlCount: z.number().check(z.int()),
      expiresInSeconds: z.number().check(z.int()),
      nextCursor: z.optional(z.string()),
    }),
    description:
      `为未封存的版本签发预签名上传地址（${urlExpirySeconds / 60} 分钟内有效，每次最多 ${maxUrlsPerCall} 个）。不超过 100 MiB 的文件整体 PUT，` +
      '须原样携带 x-amz-checksum-sha256、if-none-match: * 与 content-length（均已签名：内容不符即被拒收，已存在的对象不会被覆盖）；' +
      '更大的文件分片上传（分片不小于 8 MiB、不超过 10000 片），每个分片地址按其 SHA-256 签名。已上传的文件标记为 uploaded（续传）。已封存的版本返回 409。',
  }),
  GetUploadStatus: contract({
    path: versionPath,
    query: z.object({ cursor: cursorSchema, limit: listLimit(1000, 1000) }),
    response: z.object({
      submissionId: z.string(),
      n: z.number().check(z.int()),
      versionStatus: versionStatusSchema,
      summary: z.object({
        files: z.number().check(z.int()),
        totalBytes: z.number(),
        uploadedFiles: z.number().check(z.int()),
        uploadedBytes: z.number(),
        remainingFiles: z.number().check(z.int()),
        complete: z.boolean(),
      }),
      files: z.array(fileUploadStatusSchema),
      nextCursor: z.optional(z.string()),
    }),
    description: '续传：列出已到达的文件与分片（含 ETag 与校验值）及尚缺的部分。',
  }),
  CompleteFileUpload: contract({
    path: versionPath,
    body: z.object({
      path: manifestPathSchema,
      parts: z
        .array(
          z.object({
            partNumber: z.number({ error: '分片编号应为整数' }).check(z.int('分片编号应为整数')).check(z.gte(1, '分片编号从 1 开始')).check(z.lte(10_000, '分片编号不超过 10000')),
            etag: z.string({ error: '请提供分片的 ETag' }).check(z.minLength(1, '请提供分片的 ETag')).check(z.maxLength(200)),
            sha256: described(z.optional(sha256HexSchema), '分片 SHA-256；不填则取对象存储记录的值'),
          }),
        ).check(z.minLength(1, '请提供全部分片')).check(z.maxLength(10_000, '分片不超过 10000 个')),
    }),
    response: z.object({ path: z.string(), status: z.literal('uploaded'), alreadyComplete: z.boolean() }),
    description: '完成一个文件的分片上传（CompleteMultipartUpload，不覆盖已有对象）。重复调用返回 alreadyComplete=true。',
  }),
  AbortUploads: contract({
    path: versionPath,
    query: z.object({ path: described(z.optional(manifestPathSchema), '只取消这一个文件的分片上传（续传时对象存储拒绝完成该文件后，换新的上传编号重传）；不填为全部') }),
    response: z.object({ aborted: z.number().check(z.int()), paths: z.array(z.string()) }),
    description: '取消该版本所有未完成的分片上传，或用 path 只取消一个文件的（已上传的分片被丢弃）；已完整上传的文件保留。已封存的版本返回 409。',
  }),
  CompleteVersion: contract({
    success: [202, 200],
    path: versionPath,
    response: z.object({
      submissionId: z.string(),
      n: z.number().check(z.int()),
      status: versionStatusSchema,
      executionName: z.string(),
      executionArn: z.optional(z.string()),
      started: described(z.boolean(), '仅启动核验的那一次调用为 true'),
    }),
    description:
      '完成上传：确认清单中每个文件都已到达后封存该版本（此后不可修改），启动技术核验流程（名称为 <汇交编号>-v<n>）。' +
      '重复调用返回同一核验流程，不会再次启动。缺文件时返回 409 UPLOAD_INCOMPLETE 并列出缺少的文件。首次启动返回 202。',
  }),
  GetSubmission: contract({
    path: submissionPath,
    response: z.object({ submission: submissionViewSchema, task: z.nullable(surveyTaskViewSchema) }),
    description: '汇交详情：各版本、核验结论、R7.2/R8.1 期限，以及任务的 R6.1 汇交期限。仅组织、实施、保管单位及其上级可查看。',
  }),
  GetSubmissionTimeline: contract({
    path: submissionPath,
    response: z.object({ submissionId: z.string(), entries: z.array(timelineEntrySchema) }),
    description: '汇交时间线：各版本、上传、封存、核验、审核结论、邮件与期限，按时间排序。',
  }),
};
