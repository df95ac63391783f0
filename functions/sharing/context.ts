import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import {
  agreementViewSchema,
  applicationViewSchema,
  grantUsersBodySchema,
  grantViewSchema,
  revocationBodySchema,
  sharingApplicationBodySchema,
  signatureBodySchema,
  usageViewSchema,
  useReportBodySchema,
  useReportSlotViewSchema,
  derivedProductBodySchema,
  derivedProductViewSchema,
} from '#shared/schemas/sharing.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { derivedProductReviewKind } from '#shared/sharing/derived.ts';
import { platform } from '../platform/context.ts';
import { tasks } from '../tasks/context.ts';
import { verification } from '../verification/context.ts';

const applicationPath = z.object({ applicationId: described(z.uuid('申请编号格式不正确'), '共享申请编号') });
const grantPath = z.object({ grantId: described(z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d{6}-[A-Z]{2,8}$/, '授权编号格式不正确')), '共享授权编号（申请编号-组织单位代码）') });

/** Contracts of the sharing routes (共享, issue 16), keyed by manifest function name. */
export const sharingContracts = {
  ApplyForSharing: contract({
    success: [201],
    body: sharingApplicationBodySchema,
    response: z.object({ application: applicationViewSchema }),
    description:
      '需求部门申请共享成果（R14.1）：按统一编号申请整个成果或部分文件，说明用途、使用范围、使用期限（最长 366 天）和联系人。默认在线共享；离线共享须说明原因，含秘密及以上成果时自动为离线（本轮只登记，审批函与交接在下一阶段提供）。' +
      '超出本人密级权限的成果也可按编号申请（由组织单位决定），但不显示其详情。在线申请按成果的组织单位分别送审（R15.1）。统一编号不存在、期限超出、离线未说明原因、缺联系人：400 并指明字段，不保存任何内容。',
  }),
  ListSharingApplications: contract({
    query: z.object({
      side: described(z._default(z.enum(['mine', 'addressed'], { error: 'side 应为 mine（本单位提交的）或 addressed（送本单位审核的）' }), 'mine'), 'mine 本单位提交的申请 · addressed 送本单位（组织单位）审核的申请'),
      limit: described(z._default(z.coerce.number({ error: '每页条数应为整数' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数应在 1–100 之间')).check(z.lte(100, '每页条数应在 1–100 之间')), 50), '最多返回的条数，1–100，默认 50'),
    }),
    response: z.object({ items: z.array(applicationViewSchema) }),
    description: '共享申请列表，新的在前：本单位提交的，或送本单位审核的。超出本人密级权限的成果只显示统一编号。',
  }),
  GetSharingApplication: contract({
    path: applicationPath,
    response: z.object({ application: applicationViewSchema }),
    description: '共享申请及其办理记录（提交、送审、同意或不予共享及理由、授权、签署、撤销）。申请单位、所涉成果的组织单位和保管单位可查；其他单位 404。',
  }),
  GetSharingGrant: contract({
    path: grantPath,
    response: z.object({ grant: grantViewSchema, agreement: agreementViewSchema }),
    description:
      '共享授权：授权使用人、文件（含 SHA-256）、使用期限与状态，以及共享使用协议全文（由申请生成：成果、用途、范围、期限、密级、使用义务、双方名称；政府部门间共享不收费）及其 SHA-256（签署时提交）。' +
      '申请单位、组织单位、保管单位可查（密级权限内）；其他 404。',
  }),
  SignSharingAgreement: contract({
    path: grantPath,
    body: signatureBodySchema,
    response: z.object({ grant: grantViewSchema }),
    description: '授权使用人签署共享使用协议（R16.1）：提交所阅读文本的 SHA-256，记录签署人、时间与该 SHA-256，授权生效。文本已变化 409 AGREEMENT_CHANGED；已签署 409。签署前不提供任何文件。',
  }),
  RevokeSharingGrant: contract({
    path: grantPath,
    body: revocationBodySchema,
    response: z.object({ grant: grantViewSchema }),
    description: '组织单位审核人员撤销共享授权（须说明理由，邮件告知申请人）；撤销后下载一律 403。',
  }),
  DownloadSharedFile: contract({
    success: [302],
    path: z.object({ ...grantPath.shape, fileNo: described(z.coerce.number({ error: '文件序号应为正整数' }).check(z.int('文件序号应为正整数')).check(z.gte(1, '文件序号应为正整数')), '授权文件序号（见 GET /sharing/grants/{grantId} 的 files[].fileNo）') }),
    description:
      '下载共享文件（R16.1）：授权使用人在使用期限内得到 302，Location 为保管副本的预签名地址（5 分钟有效，支持 Range 断点续传；文件不经过本服务）。每次签发都记入共享日志（谁、哪个文件、何时、来源地址、申请编号）并按成果×申请单位×月份计数。未签署协议、已撤销、已到期（403，说明到期日）。',
  }),
  GetSharingManifest: contract({
    path: grantPath,
    produces: ['text/plain'],
    description: '共享授权的 BagIt 清单（manifest-sha256.txt）：每行 “SHA-256  data/<统一编号>/<路径>”，供接收方核对收到的文件。',
  }),
  ChangeSharingGrantUsers: contract({
    path: grantPath,
    body: grantUsersBodySchema,
    response: z.object({ grant: grantViewSchema }),
    description:
      '使用单位的授权使用人调整本授权的授权使用人（R18.1）：只能增加本单位的在用用户（授权不得转给其他单位，其他单位须自行申请）或移除现有使用人，至少保留 1 人；记入审计与办理记录。' +
      '其他单位 404；组织单位、保管单位或非授权使用人 403；已撤销或已到期 409；用户不属于本单位 400 并指明字段。',
  }),
  FileUseReport: contract({
    success: [201],
    path: grantPath,
    body: useReportBodySchema,
    response: z.object({ useReport: useReportSlotViewSchema, grant: grantViewSchema }),
    description:
      '使用单位报送共享成果的利用情况（R19.1）：应用方式、应用项目、成效、问题。按应交日期最早的一份未交报告登记（期限届满或组织单位审批时确定之日；超过一年的授权每满一年一份），满足其期限（按期或逾期）并计入监督通报的成果利用统计。' +
      '其他单位的授权 404；尚未签署协议或全部报告已交 409；字段缺失 400 并指明字段。',
  }),
  RegisterDerivedProduct: contract({
    success: [201],
    body: derivedProductBodySchema,
    response: z.object({ product: derivedProductViewSchema }),
    description:
      '使用单位登记利用非公开共享成果形成的衍生产品（R18.2）：名称、说明、加工处理情况、来源成果（统一编号）与所依据的共享授权；发布前由各来源成果的组织单位进行保密审查（邮件任务：同意发布 / 不予发布），全部同意后方可发布，并须注明来源。公开成果无需审查。' +
      '授权不属于本单位 404；来源成果不在该授权内或授权未签署（本单位从未获得）409 SOURCE_NOT_HELD；字段缺失 400 并指明字段。',
  }),
  GetDerivedProduct: contract({
    path: z.object({ productId: described(z.uuid('衍生产品编号格式不正确'), '衍生产品编号') }),
    response: z.object({ product: derivedProductViewSchema }),
    description: '衍生产品及其来源成果、各组织单位的保密审查结论与办理记录。登记单位和来源成果的组织单位可查（密级权限内）；其他 404。',
  }),
  GetSharingUsage: contract({
    path: z.object({ resultNumber: resultNumberSchema }),
    response: z.object({ usage: usageViewSchema }),
    description: '成果的共享使用统计：按申请单位和月份的下载次数、字节数、下载人数（随每次下载在同一事务中累加，不扫描日志）。保管单位和组织单位可查。',
  }),
};

/** The sharing context: applications, the organiser's review, the agreement, grants and logged downloads (issue 16, online). */
export const sharing = defineContext({
  name: 'sharing',
  functions: {
    ApplyForSharing: {
      entry: './apply-for-sharing.ts',
      description: 'A requester applies for catalogued results (audited); online: one SharingReview per organiser starts.',
      tables: auditedWrites,
    },
    ListSharingApplications: {
      entry: './list-sharing-applications.ts',
      description: 'The applications of the caller\'s organisation, or those addressed to it as organiser.',
      tables: readsRegistry,
    },
    GetSharingApplication: {
      entry: './get-sharing-application.ts',
      description: 'One application and its timeline.',
      tables: readsRegistry,
    },
    GetSharingGrant: {
      entry: './get-sharing-grant.ts',
      description: 'One grant (users, files, period, status) and the use agreement generated from it, with its SHA-256.',
      tables: readsRegistry,
    },
    SignSharingAgreement: {
      entry: './sign-sharing-agreement.ts',
      description: 'A named user signs the agreement (who, when, SHA-256 of the text; audited); the grant becomes active.',
      tables: auditedWrites,
    },
    RevokeSharingGrant: {
      entry: './revoke-sharing-grant.ts',
      description: 'The organiser\'s reviewer revokes a grant with reasons (audited); the requester is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    DownloadSharedFile: {
      entry: './download-shared-file.ts',
      description: 'A presigned GET of minutes on the custody copy, or on the grant\'s 用途声明 in the documents bucket (302); the URL issued is logged with the purpose and counted in one audited transaction.',
      tables: auditedWrites,
      buckets: { custody: 'read', documents: 'read' },
    },
    GetSharingManifest: {
      entry: './get-sharing-manifest.ts',
      description: 'The grant\'s BagIt manifest-sha256.txt.',
      tables: readsRegistry,
    },
    ChangeSharingGrantUsers: {
      entry: './change-grant-users.ts',
      description: 'The requester adds or removes its own named users within a grant (R18.1; audited, on the timeline).',
      tables: auditedWrites,
    },
    FileUseReport: {
      entry: './file-use-report.ts',
      description: 'The requester files a use report of a grant (R19.1): its clock met and counted in one audited transaction.',
      tables: auditedWrites,
    },
    RegisterDerivedProduct: {
      entry: './register-derived-product.ts',
      description: 'A requester registers a derived product (R18.2; audited); one DerivedProductReview per organiser of its non-public sources starts.',
      tables: auditedWrites,
    },
    GetDerivedProduct: {
      entry: './get-derived-product.ts',
      description: 'One derived product, its sources and reviews.',
      tables: readsRegistry,
    },
    RecordDerivedReview: {
      entry: './record-derived-review.ts',
      description: 'DerivedProductReview: 同意发布 / 不予发布 (or unanswered) recorded once on the product (R18.2.reviewed counted, audited); the registrant is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    GetSharingUsage: {
      entry: './get-sharing-usage.ts',
      description: 'Usage counters of a result per requester organisation and month.',
      tables: readsRegistry,
    },
    GrantSharingAccess: {
      entry: './grant-sharing-access.ts',
      description: 'SharingReview: approved — the 用途声明 written once (documents), the review recorded and the grant created in one conditional transaction (use-report clocks started); the requester is emailed to sign.',
      tables: auditedWrites,
      buckets: { custody: 'read', documents: 'readWrite' },
      sendsEmail: true,
    },
    RejectSharing: {
      entry: './reject-sharing.ts',
      description: 'SharingReview: rejected (or unanswered) — the review closes with the reasons (audited); the requester is emailed (R16.2).',
      tables: auditedWrites,
      sendsEmail: true,
    },
  },
  routes: {
    ApplyForSharing: { method: 'POST', path: '/sharing/applications', auth: ['requester'], summary: '申请共享成果', contract: sharingContracts.ApplyForSharing },
    ListSharingApplications: { method: 'GET', path: '/sharing/applications', auth: 'any', summary: '共享申请列表', contract: sharingContracts.ListSharingApplications },
    GetSharingApplication: { method: 'GET', path: '/sharing/applications/{applicationId}', auth: 'any', summary: '共享申请及办理记录', contract: sharingContracts.GetSharingApplication },
    GetSharingGrant: { method: 'GET', path: '/sharing/grants/{grantId}', auth: 'any', summary: '共享授权与使用协议', contract: sharingContracts.GetSharingGrant },
    SignSharingAgreement: { method: 'POST', path: '/sharing/grants/{grantId}/agreement/signature', auth: ['requester'], summary: '签署共享使用协议', contract: sharingContracts.SignSharingAgreement },
    RevokeSharingGrant: { method: 'POST', path: '/sharing/grants/{grantId}/revocation', auth: ['reviewer'], summary: '撤销共享授权', contract: sharingContracts.RevokeSharingGrant },
    DownloadSharedFile: { method: 'GET', path: '/sharing/grants/{grantId}/files/{fileNo}', auth: 'any', summary: '下载共享文件（302 预签名地址）', contract: sharingContracts.DownloadSharedFile },
    GetSharingManifest: { method: 'GET', path: '/sharing/grants/{grantId}/manifest', auth: 'any', summary: '共享授权的 BagIt 清单', contract: sharingContracts.GetSharingManifest },
    ChangeSharingGrantUsers: { method: 'POST', path: '/sharing/grants/{grantId}/users', auth: ['requester'], summary: '调整授权使用人', contract: sharingContracts.ChangeSharingGrantUsers },
    FileUseReport: { method: 'POST', path: '/sharing/grants/{grantId}/use-reports', auth: ['requester'], summary: '报送成果利用情况', contract: sharingContracts.FileUseReport },
    RegisterDerivedProduct: { method: 'POST', path: '/sharing/derived-products', auth: ['requester'], summary: '登记衍生产品', contract: sharingContracts.RegisterDerivedProduct },
    GetDerivedProduct: { method: 'GET', path: '/sharing/derived-products/{productId}', auth: 'any', summary: '衍生产品及保密审查', contract: sharingContracts.GetDerivedProduct },
    GetSharingUsage: { method: 'GET', path: '/sharing/usage/{resultNumber}', auth: 'any', summary: '成果共享使用统计', contract: sharingContracts.GetSharingUsage },
  },
  starts: {
    ApplyForSharing: ['SharingReview'],
    RegisterDerivedProduct: ['DerivedProductReview'],
  },
  stateMachines: {
    SharingReview: {
      file: 'statemachines/sharing.asl.json',
      functions: [tasks.ref.CreateHumanTask, verification.ref.EscalateReview, 'GrantSharingAccess', 'RejectSharing', platform.ref.RecordWorkflowFailure],
    },
    DerivedProductReview: {
      file: 'statemachines/derived-product.asl.json',
      functions: [tasks.ref.CreateHumanTask, verification.ref.EscalateReview, 'RecordDerivedReview', platform.ref.RecordWorkflowFailure],
    },
  },
  humanTaskKinds: { sharingReview: sharingReviewKind, derivedProductReview: derivedProductReviewKind },
});
