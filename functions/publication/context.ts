import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import { authorityRuleSchema, authorityTableSchema, putAuthorityTableBodySchema } from '#shared/publication/authority.ts';
import { roleSchema } from '#shared/identity/roles.ts';
import { catalogueEntrySchema } from '#shared/schemas/catalogue.ts';
import { createReleaseBodySchema, desensitisationRecordSchema, releaseClassifications } from '#shared/publication/release.ts';
import { publicationStatuses, requestPublicationBodySchema, resubmitPublicationBodySchema } from '#shared/publication/request.ts';
import { publicationListSides } from '#shared/publication/request-store.ts';
import { publicationApprovalKind, publicationReviewKind, publicationWithdrawalKind } from '#shared/publication/tasks.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';
import { withdrawalBodySchema } from '#shared/publication/withdrawal.ts';
import { derivedProductRefSchema, withdrawalRequestSchema } from '#shared/schemas/catalogue.ts';

const releaseSchema = z.object({
  releaseNumber: z.string(),
  sourceNumber: z.string(),
  k: z.number().check(z.int()),
  submissionId: z.string(),
  classification: z.enum(releaseClassifications),
  desensitisation: z.optional(desensitisationRecordSchema),
  preparedBy: z.string(),
  preparedByOrg: z.string(),
  preparedAt: z.string(),
  derivedProduct: described(z.optional(derivedProductRefSchema), '该发布版本发布的衍生产品（R18.2）：编号、名称、登记单位'),
});

const resolutionSchema = z.object({
  resultNumber: z.string(),
  tableVersion: z.number().check(z.int()),
  rule: authorityRuleSchema,
  approvers: z.array(z.object({ orgCode: z.string(), role: roleSchema })),
  joint: z.boolean(),
  explanation: z.string(),
});

const decisionViewSchema = z.object({ taskId: z.string(), decision: z.enum(['approve', 'return']), reasons: z.string(), decidedBy: z.string(), decidedAt: z.string() });

const publicationRequestSchema = z.object({
  requestId: z.string(),
  sourceNumber: z.string(),
  releaseNumber: z.string(),
  round: z.number().check(z.int()),
  status: z.enum(publicationStatuses),
  statusLabel: z.string(),
  organiserOrg: z.string(),
  level: z.string(),
  regionCode: z.string(),
  theme: z.string(),
  classification: z.string(),
  resolution: z.object({ tableVersion: z.number(), ruleId: z.string(), basis: z.string(), joint: z.boolean(), explanation: z.string() }),
  approvals: z.array(
    z.object({
      orgCode: z.string(),
      role: z.string(),
      decision: z.optional(decisionViewSchema),
      decisionLabel: z.optional(z.string()),
      closed: described(z.optional(z.object({ at: z.string(), reason: z.string() })), '联合审批中另一审批单位不予发布：本单位的审批已关闭（R12.2）'),
    }),
  ),
  rounds: z.array(z.object({ round: z.number(), releaseNumber: z.string(), desensitisation: z.optional(desensitisationRecordSchema), submittedBy: z.string(), submittedAt: z.string(), review: z.optional(decisionViewSchema), reviewLabel: z.optional(z.string()) })),
  programme: described(z.optional(z.string()), '分级实施的调查项目：源成果任务所属的最上一级任务编号，或申请时填写的项目编号'),
  taskId: z.optional(z.string()),
  parentTaskId: described(z.optional(z.string()), '源成果任务的上一级任务（R11.1）：其成果发布后本发布版本才发布'),
  embargoUntil: z.optional(z.string()),
  hold: z.optional(
    z.object({
      waitingFor: z.array(z.string()),
      embargoUntil: z.optional(z.string()),
      parentLevel: z.optional(z.string()),
      parentTaskId: z.optional(z.string()),
      since: z.string(),
      checkedAt: z.string(),
    }),
  ),
  requestedBy: z.string(),
  requestedByOrg: z.string(),
  requestedAt: z.string(),
  timeline: z.array(z.object({ at: z.string(), type: z.string(), text: z.string(), detail: z.optional(z.record(z.string(), z.unknown())) })),
  revision: z.number(),
  closedAt: z.optional(z.string()),
});

/** One row of the console's request list (shared/publication/request-list.ts). */
const publicationRequestRowSchema = z.object({
  requestId: z.string(),
  releaseNumber: z.string(),
  sourceNumber: z.string(),
  round: z.number().check(z.int()),
  status: z.enum(publicationStatuses),
  statusLabel: z.string(),
  step: described(z.string(), '所处环节与下一步由谁办理'),
  organiserOrg: z.string(),
  approvers: z.array(z.object({ orgCode: z.string(), decisionLabel: z.optional(z.string()) })),
  hold: described(z.optional(z.object({ waitingFor: z.array(z.string()), embargoUntil: z.optional(z.string()), since: z.string() })), '已批准而暂缓发布时：等待的上级成果发布或解禁日期（R11.1）'),
  deadline: described(
    z.optional(z.object({ type: z.enum(['R11.1', 'R12.1']), label: z.string(), due: z.string(), workingDaysLeft: z.number().check(z.int()), overdue: z.boolean() })),
    '保密审查（R11.1）或审批（R12.1）进行中时的法定期限与剩余工作日（负数为逾期工作日）',
  ),
  awaitingMe: described(z.boolean(), '在所列一方本单位当前须办理：待审查（review）、待审批（approval）或退回后重新提交（prepared）'),
  requestedBy: z.string(),
  requestedByOrg: z.string(),
  requestedAt: z.string(),
  closedAt: z.optional(z.string()),
});

const requestIdPath = z.object({
  requestId: described(z.string().check(z.regex(/^\d{6}-[A-Z]{2,8}-\d{4}-[A-Z]{2}-\d{6}-R\d{1,3}-[0-9a-f]{12}$/, '发布申请编号格式应为“发布版本编号-12 位十六进制”')), '发布申请编号'),
});

/** Contracts of the publication routes (发布), keyed by manifest function name. */
export const publicationContracts = {
  GetAuthorityTable: contract({
    query: z.object({ version: described(z.optional(z.coerce.number({ error: '版本号应为数字' }).check(z.int('版本号应为整数')).check(z.gte(0, '版本号不小于 0'))), '查看历史版本；不填为现行版本') }),
    response: z.object({ table: authorityTableSchema }),
    description: '发布审批权限表（级别 × 专题 × 组织部门 × 省份 → 审批单位与审批角色，R12.1、R12.3）。第 0 版为系统内置的全国与省级规则，管理员修改前有效。',
  }),
  PutAuthorityTable: contract({
    body: putAuthorityTableBodySchema,
    response: z.object({ table: authorityTableSchema, changed: z.boolean() }),
    description:
      '系统管理员修改发布审批权限表：整表提交，生成新版本并审计（原因必填）。部级管理员可改全部规则，省级管理员只能改本省规则（否则 403）；expectedVersion 与现行版本不一致时 409；' +
      '规则编号或适用范围（级别×专题×组织部门×省份）重复时 400。内容不变时不生成新版本（changed: false）。',
  }),
  ResolvePublicationAuthority: contract({
    path: z.object({ resultNumber: resultNumberSchema }),
    response: z.object({ resolution: resolutionSchema }),
    description: '按现行权限表确定某成果的发布审批单位：返回适用的规则（编号、依据）与审批单位；国家级森林、草原、湿地成果为自然资源部与国家林业和草原局联合审批（R12.2）。超出密级权限的成果按不存在处理。',
  }),
  CreateRelease: contract({
    success: [201],
    path: z.object({ resultNumber: resultNumberSchema }),
    body: createReleaseBodySchema,
    response: z.object({ release: releaseSchema, entry: catalogueEntrySchema }),
    description:
      '登记成果的发布版本（脱密脱敏版本，R11.1）：成果包为源成果调查任务下的一次汇交（同样的预签名、带校验和的上传与自动核验，须已核验通过），附脱密脱敏记录；' +
      '生成新的目录条目：源成果统一编号加后缀 -R1、-R2…，密级为公开或内部，待审批发布（不进入公开目录）。源成果为秘密及以上时 409（R5.1）；源成果高于公开而无脱密脱敏记录时 409；成果包未核验通过时 409。' +
      '附 derivedProductId 时，该发布版本发布一项衍生产品（R18.2）：衍生产品须全部来源成果均已同意发布（否则 409 DERIVED_NOT_PUBLISHABLE）、以其来源成果之一制作（否则 409）、未在本系统之外登记发布且未制作过发布版本（否则 409）；发布版本与目录条目注明该衍生产品，衍生产品在同一事务中记录其发布版本，发布后记录其在本系统公开目录发布。返回 201。',
  }),
  ListReleases: contract({
    path: z.object({ resultNumber: resultNumberSchema }),
    response: z.object({ releases: z.array(releaseSchema) }),
    description: '成果的发布版本（本人密级权限以内的），含脱密脱敏记录与成果包汇交编号。',
  }),
  RequestPublication: contract({
    success: [202],
    body: requestPublicationBodySchema,
    response: z.object({ request: publicationRequestSchema }),
    description:
      '申请发布一个发布版本（R11.1、R12.1–R12.3）：按现行权限表确定审批单位并记录适用规则；先由组织单位保密审查（审查通过 / 退回修改），再由审批单位审批（同意发布 / 不予发布），' +
      '国家级森林、草原、湿地成果须自然资源部与国家林业和草原局联合审批；同一调查项目的下级成果待上一级发布后、且解禁日期后才批准发布。' +
      '不是发布版本、源成果为秘密及以上（R5.1）、缺少脱密脱敏记录或已申请过时 409；无权申请 403；超出密级权限 404。返回 202。',
  }),
  ListPublicationRequests: contract({
    query: z.object({
      side: described(z._default(z.enum(publicationListSides), 'prepared'), 'prepared 本单位申请的、review 本单位须保密审查的（组织单位）、approval 本单位须审批的（审批单位）；默认 prepared'),
      status: described(z.optional(z.enum(publicationStatuses)), '按状态筛选：review 保密审查中、returned 已退回修改、approval 待审批发布、refused 不予发布、held 已批准等待发布条件、approved 已批准发布'),
      limit: described(z._default(z.coerce.number({ error: '每页条数应为数字' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数 1–100')).check(z.lte(100, '每页条数 1–100')), 20), '每页条数 1–100（默认 20）'),
      cursor: described(
        z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z#[0-9A-Za-z-]{10,80}$/, '翻页参数 cursor 应为上一页返回的值'))),
        '上一页返回的 cursor（其后更早的申请）',
      ),
    }),
    response: z.object({
      org: described(z.string(), '本单位'),
      side: z.enum(publicationListSides),
      today: described(z.string(), '今天（北京时间）'),
      items: z.array(publicationRequestRowSchema),
      cursor: described(z.optional(z.string()), '还有更早的申请时返回：作为下一页的 cursor（筛选时一页可能少于 limit 条）'),
    }),
    description:
      '本单位的发布申请（工作台“发布申请”）：本单位申请的、须保密审查的（组织单位，R11.1）或须审批的（审批单位，R12.1），按申请时间从新到旧分页；' +
      '每条给出状态、所处环节、暂缓发布等待的条件，以及保密审查或审批进行中时的法定期限与剩余工作日。发布版本超出本人密级的申请不列出（与查看单个申请返回 404 一致）。',
  }),
  GetPublicationRequest: contract({
    path: requestIdPath,
    response: z.object({ request: publicationRequestSchema }),
    description: '发布申请：适用规则、各轮保密审查、各审批单位的决定、暂缓发布的原因（等待的上级成果或解禁日期）与全部时间线。组织单位、保管单位、申请单位、审批单位与管理员可查看。',
  }),
  ResubmitPublication: contract({
    success: [202],
    path: requestIdPath,
    body: resubmitPublicationBodySchema,
    response: z.object({ request: publicationRequestSchema }),
    description: '保密审查退回修改后，以同一源成果新登记的发布版本（新的成果包与脱密脱敏记录）重新提交，开始新一轮保密审查；各轮记录保留。申请不处于“已退回修改”时 409。返回 202。',
  }),
  DownloadReleaseFile: contract({
    success: [302],
    path: z.object({
      releaseNumber: resultNumberSchema,
      path: described(z.string().check(z.minLength(1)).check(z.maxLength(1024)), '发布版本中的文件路径（如 data/landcover.gpkg）'),
    }),
    description:
      '公开下载（任何人，无需登录，R17.2）：已发布的发布版本文件 → 302 重定向到有效期 5 分钟的预签名地址，文件内容由对象存储直接传给下载者（支持 Range 断点续传），不经过函数。' +
      '每次请求（含被拒绝的）都记录（成果、文件、时间、匿名化的客户端、浏览器标识）并按成果×日计数，进入通报的发布部分。已撤回、未发布的版本或不存在的文件 → 404；公开出版物 → 409 并给出订购方式。',
  }),
  WithdrawRelease: contract({
    success: [202],
    path: z.object({ releaseNumber: resultNumberSchema }),
    body: withdrawalBodySchema,
    response: z.object({ entry: catalogueEntrySchema, withdrawal: withdrawalRequestSchema }),
    description:
      '申请撤回已发布的发布版本（原因必填，R11.1）：组织单位的审核或发布审批人、保管单位、组织单位指定的技术单位或审批单位的发布审批人可以申请，其他人 403；' +
      '由批准其发布的审批单位（按发布审批权限表确定；国家级森林、草原、湿地成果为自然资源部与国家林业和草原局，须均同意）在审批任务中决定“同意撤回”或“不予撤回”。' +
      '同意后文件不再提供下载（404），公开页面显示“已撤回”及日期，记录保留；不予撤回时申请人收到邮件告知理由，发布版本照常提供下载。尚未发布 409；已撤回 409；已有撤回申请在审批中 409。返回 202。',
  }),
};

/** The publication context (发布): the authority table (R12.1, R12.3) and release versions (R11.1) so far. */
export const publication = defineContext({
  name: 'publication',
  functions: {
    GetAuthorityTable: {
      entry: './get-authority-table.ts',
      description: 'The publication authority table in force, or one of its versions.',
      tables: readsRegistry,
    },
    PutAuthorityTable: {
      entry: './put-authority-table.ts',
      description: 'An administrator stores a new version of the publication authority table (audited; provincial administrators their own province only).',
      tables: auditedWrites,
    },
    ResolvePublicationAuthority: {
      entry: './resolve-publication-authority.ts',
      description: 'Which rule of the authority table applies to a result and who approves its publication.',
      tables: readsRegistry,
    },
    CreateRelease: {
      entry: './create-release.ts',
      description: 'A release version of a result (R11.1): its verified package submission, desensitisation record and its own catalogue entry, audited.',
      tables: auditedWrites,
    },
    ListReleases: {
      entry: './list-releases.ts',
      description: 'The release versions of a result within the reader\'s clearance.',
      tables: readsRegistry,
    },
    RequestPublication: {
      entry: './request-publication.ts',
      description: 'A publication request for a release version (audited, the authority rule stored); starts Publication.',
      tables: auditedWrites,
    },
    ListPublicationRequests: {
      entry: './list-publication-requests.ts',
      description: 'My organisation\'s publication requests on one side (prepared, to review, to approve): one key query on the list index, a page at a time, rows within the reader\'s clearance with their step and R11.1/R12.1 deadline.',
      tables: readsRegistry,
    },
    GetPublicationRequest: {
      entry: './get-publication-request.ts',
      description: 'A publication request: rule, rounds, decisions, hold and timeline.',
      tables: readsRegistry,
    },
    ResubmitPublication: {
      entry: './resubmit-publication.ts',
      description: 'After a confidentiality review returned it: the next round with a new release version (audited); starts Publication again.',
      tables: auditedWrites,
    },
    RecordPublicationDecision: {
      entry: './record-publication-decision.ts',
      description: 'Publication: a confidentiality review or approval decision on the request (audited); a return or refusal emails the preparer.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    CheckPublicationHold: {
      entry: './check-publication-hold.ts',
      description: 'Publication: held for the level above of the same programme or the embargo date (R11.1); stored on the request.',
      tables: auditedWrites,
    },
    ApprovePublication: {
      entry: './approve-publication.ts',
      description: 'Publication: the release version becomes approved (catalogue entry version, audited); the request closes.',
      tables: auditedWrites,
    },
    PublishRelease: {
      entry: './publish-release.ts',
      description: 'Publication (approval machine, last step): an approved release version\'s files copied server-side into the published bucket (releases/<n>/), the entry made public and released (audited, idempotent); announced by mail to the external public platforms of PUBLIC_PLATFORMS (R14.2, recorded on the release).',
      memoryMb: 1024,
      timeoutSeconds: 900,
      tables: auditedWrites,
      buckets: { uploads: 'read', published: 'readWrite' },
      sendsEmail: true,
    },
    DownloadReleaseFile: {
      entry: './download-release-file.ts',
      description: 'Public download of a released file (R17.2): 302 to a short-lived CloudFront signed URL (aws with a download key) or presigned S3 GET; every request logged and counted.',
      tables: { registry: 'readWrite' },
      buckets: { published: 'read' },
      signsDownloads: true,
    },
    WithdrawRelease: {
      entry: './withdraw-release.ts',
      description: 'A request to withdraw a released version (audited, on its entry); starts Withdrawal, decided by the approving authority.',
      tables: auditedWrites,
    },
    RecordWithdrawalDecision: {
      entry: './record-withdrawal-decision.ts',
      description: 'Withdrawal: a department\'s 同意撤回 / 不予撤回 (audited); the last agreement withdraws the release (files no longer served), a refusal emails the requester.',
      tables: auditedWrites,
      sendsEmail: true,
    },
  },
  routes: {
    GetAuthorityTable: {
      method: 'GET',
      path: '/publication/authorities',
      auth: 'any',
      summary: '发布审批权限表',
      contract: publicationContracts.GetAuthorityTable,
    },
    PutAuthorityTable: {
      method: 'PUT',
      path: '/publication/authorities',
      auth: ['administrator'],
      summary: '修改发布审批权限表（新版本，审计）',
      contract: publicationContracts.PutAuthorityTable,
    },
    ResolvePublicationAuthority: {
      method: 'GET',
      path: '/catalogue/{resultNumber}/publication-authority',
      auth: 'any',
      summary: '成果的发布审批单位（适用规则）',
      contract: publicationContracts.ResolvePublicationAuthority,
    },
    CreateRelease: {
      method: 'POST',
      path: '/catalogue/{resultNumber}/releases',
      auth: ['reviewer', 'publisher', 'custodian'],
      summary: '登记发布版本（脱密脱敏，R11.1）',
      contract: publicationContracts.CreateRelease,
    },
    ListReleases: {
      method: 'GET',
      path: '/catalogue/{resultNumber}/releases',
      auth: 'any',
      summary: '成果的发布版本',
      contract: publicationContracts.ListReleases,
    },
    RequestPublication: {
      method: 'POST',
      path: '/publication/requests',
      auth: ['reviewer', 'publisher', 'custodian'],
      summary: '申请发布（保密审查 → 审批 → 分级发布）',
      contract: publicationContracts.RequestPublication,
    },
    ListPublicationRequests: {
      method: 'GET',
      path: '/publication/requests',
      auth: ['reviewer', 'publisher', 'custodian'],
      summary: '本单位的发布申请（申请的、待审查的、待审批的）',
      contract: publicationContracts.ListPublicationRequests,
    },
    GetPublicationRequest: {
      method: 'GET',
      path: '/publication/requests/{requestId}',
      auth: 'any',
      summary: '发布申请的进度与时间线',
      contract: publicationContracts.GetPublicationRequest,
    },
    ResubmitPublication: {
      method: 'POST',
      path: '/publication/requests/{requestId}/resubmissions',
      auth: ['reviewer', 'publisher', 'custodian'],
      summary: '退回修改后重新提交发布版本',
      contract: publicationContracts.ResubmitPublication,
    },
    DownloadReleaseFile: {
      method: 'GET',
      path: '/public/downloads/{releaseNumber}/{path+}',
      auth: 'public',
      summary: '公开下载已发布的成果文件（302 预签名地址，R17.2）',
      contract: publicationContracts.DownloadReleaseFile,
    },
    WithdrawRelease: {
      method: 'POST',
      path: '/publication/releases/{releaseNumber}/withdrawal',
      auth: 'any',
      summary: '申请撤回已发布的发布版本（审批单位决定）',
      contract: publicationContracts.WithdrawRelease,
    },
  },
  starts: {
    RequestPublication: ['Publication'],
    ResubmitPublication: ['Publication'],
    WithdrawRelease: ['Withdrawal'],
  },
  stateMachines: {
    Publication: {
      file: 'statemachines/publication.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordPublicationDecision', 'CheckPublicationHold', 'ApprovePublication', 'PublishRelease', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
    Withdrawal: {
      file: 'statemachines/withdrawal.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordWithdrawalDecision', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
  },
  humanTaskKinds: { publicationReview: publicationReviewKind, publicationApproval: publicationApprovalKind, publicationWithdrawal: publicationWithdrawalKind },
});
