import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry, refTo } from '#runtime/define.ts';
import { resultNumberSchema } from '#shared/schemas/catalogue.ts';
import {
  agreementViewSchema,
  applicationViewSchema,
  confidentialityScanBodySchema,
  confidentialityScanViewSchema,
  handoverBodySchema,
  grantUsersBodySchema,
  grantViewSchema,
  revocationBodySchema,
  sharingApplicationBodySchema,
  signatureBodySchema,
  usageViewSchema,
  useReportBodySchema,
  useReportSlotViewSchema,
  useReportRowSchema,
  derivedProductBodySchema,
  derivedPublicationBodySchema,
  derivedProductViewSchema,
  processingProposalBodySchema,
  processingUploadBodySchema,
  processingUploadViewSchema,
} from '#shared/schemas/sharing.ts';
import {
  publicAnswerBodySchema,
  publicApplicationBodySchema,
  publicApplicationViewSchema,
  publicExtensionBodySchema,
  publicReceiptViewSchema,
  publicSubmissionViewSchema,
  verificationBodySchema,
} from '#shared/schemas/public-applications.ts';
import { sharingReviewKind } from '#shared/sharing/review-task.ts';
import { derivedProductReviewKind } from '#shared/sharing/derived.ts';
import type { platform } from '../platform/context.ts';
import type { tasks } from '../tasks/context.ts';
import type { verification } from '../verification/context.ts';

const applicationPath = z.object({ applicationId: described(z.uuid('申请编号格式不正确'), '共享申请编号') });
const documentPath = z.object({
  ...applicationPath.shape,
  docId: described(z.string().check(z.regex(/^(approval-letter|task-order|confidentiality-agreement)-\d{6}-[A-Z]{2,8}$/, '文书编号格式不正确')), '文书编号（见申请 reviews[].offline.documents[].docId）：approval-letter|task-order|confidentiality-agreement-<组织单位代码>'),
});

const pageLimit = described(z._default(z.coerce.number({ error: '每页条数应为整数' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数应在 1–100 之间')).check(z.lte(100, '每页条数应在 1–100 之间')), 50), '最多返回的条数，1–100，默认 50');
const pageCursor = described(z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z#[0-9a-f-]{36}$/, '分页游标无效'))), '上一页返回的 cursor（继续列出更早的）');

const publicApplicationPath = z.object({ applicationId: described(z.uuid('申请编号格式不正确'), '公众申请编号') });
const grantPath = z.object({ grantId: described(z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d{6}-[A-Z]{2,8}$/, '授权编号格式不正确')), '共享授权编号（申请编号-组织单位代码）') });

/** Contracts of the sharing routes (共享, issue 16), keyed by manifest function name. */
export const sharingContracts = {
  ApplyForSharing: contract({
    success: [201],
    body: sharingApplicationBodySchema,
    response: z.object({ application: applicationViewSchema }),
    description:
      '需求部门申请共享成果（R14.1）：按统一编号申请整个成果或部分文件，说明用途、使用范围、使用期限（最长 366 天）和联系人。默认在线共享；离线共享须说明原因，含秘密及以上成果时自动为离线（同意后出具审批函或任务单，保管单位登记交接）。' +
      '超出本人密级权限的成果也可按编号申请（由组织单位决定），但不显示其详情。申请按成果的组织单位分别送审（R15.1），在线、离线相同。统一编号不存在、期限超出、离线未说明原因、缺联系人：400 并指明字段，不保存任何内容。',
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
  GetSharingDocument: contract({
    path: documentPath,
    produces: 'text/html',
    description: '离线共享文书（审批函、任务单、保密协议）：同意时写入文档库的原件（只写一次），A4 网页可打印为 PDF。申请单位、组织单位、保管单位在密级权限内可查，其他 404。',
  }),
  RequestConfidentialityScan: contract({
    path: applicationPath,
    body: confidentialityScanBodySchema,
    response: confidentialityScanViewSchema,
    description: '申报保密协议签署扫描件（SHA-256、字节数、类型），得到只能写一次的预签名 PUT；交接时再次核对 SHA-256。无需保密协议或已交接：409。',
  }),
  RecordSharingHandover: contract({
    path: applicationPath,
    body: handoverBodySchema,
    response: z.object({ application: applicationViewSchema }),
    description: '保管单位登记离线交接（R17.1）：领取人（证件号码须脱敏）、日期、介质、每个文件的 SHA-256。文件与同意清单不符、缺保密协议扫描件：409 并指明文件；已登记：409。',
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
  RecordDerivedPublication: contract({
    path: z.object({ productId: described(z.uuid('衍生产品编号格式不正确'), '衍生产品编号') }),
    body: derivedPublicationBodySchema,
    response: z.object({ product: derivedProductViewSchema, changed: described(z.boolean(), 'false：已登记同一发布位置与日期，未作改动') }),
    description:
      '登记单位登记衍生产品在本系统之外的发布位置与日期（R18.2）：全部来源成果均已同意发布后方可登记（否则 409），记录在产品的办理记录中并审计。' +
      '重复登记同一位置与日期不作改动；已登记另一位置 409；其他单位 404。',
  }),
  GetSharingUsage: contract({
    path: z.object({ resultNumber: resultNumberSchema }),
    response: z.object({ usage: usageViewSchema }),
    description: '成果的共享使用统计：按申请单位和月份的下载次数、字节数、下载人数（随每次下载在同一事务中累加，不扫描日志）。保管单位和组织单位可查。',
  }),
  SubscribeSharingGrant: contract({
    path: grantPath,
    response: z.object({ grant: grantViewSchema }),
    description: '主动推送：授权使用人为共享授权订阅成果新版本；成果编目新版本时邮件通知申请人，并可一步重新申请。已撤销、已到期 409；重复订阅不改变任何内容。',
  }),
  ReapplyForSharing: contract({
    success: [201],
    path: applicationPath,
    response: z.object({ application: applicationViewSchema }),
    description: '一步重新申请（成果新版本推送后）：复制原申请的成果、用途、使用范围、联系人、授权使用人和共享方式，使用期限与原申请等长（最长 366 天）自今日起算，按同样规则送组织单位审核。只有原申请单位可用；其他单位 404。',
  }),
  PublicApplicationForm: contract({
    produces: 'text/html',
    query: z.object({ resultNumber: described(z.optional(resultNumberSchema), '预填的成果统一编号（公开目录的“申请”链接带上）') }),
    description: '公众申请页面（无需账号，R14.2、R16.3）：填写申请、接收并输入邮件验证码。页面本身不读取、不保存任何数据。',
  }),
  SubmitPublicApplication: contract({
    success: [202],
    body: publicApplicationBodySchema,
    response: z.object({ application: publicSubmissionViewSchema }),
    description:
      '公众申请（无需账号，R14.2、R16.3）：公民、法人或其他组织申请进一步利用已发布成果，或提出政府信息公开申请。填写姓名或名称、联系电话、电子邮箱、申请的成果或信息及用途。' +
      '提交后向邮箱发送 6 位验证码（30 分钟内有效，最多输入 5 次，只保存其散列值）；验证通过前申请不算收到。同一邮箱每天最多 5 份（409 TOO_MANY_APPLICATIONS）。成果编号不在公开目录、未指明答复机关：400 并指明字段，不保存任何内容。',
  }),
  VerifyPublicApplication: contract({
    path: publicApplicationPath,
    body: verificationBodySchema,
    response: z.object({ application: publicReceiptViewSchema }),
    description:
      '验证邮箱（R16.3）：正确的验证码使申请收到，答复期限为收到之日起 20 个工作日（进入期限监督），并邮件告知申请人。验证码错误 400（body.code，说明剩余次数）；已输错 5 次 409 CODE_LOCKED；过期 409 CODE_EXPIRED；已验证 409 ALREADY_VERIFIED。',
  }),
  ListSharingUseReports: contract({
    query: z.object({
      side: described(z._default(z.enum(['mine', 'addressed'], { error: 'side 应为 mine（本单位应报送的）或 addressed（本单位作为组织单位收到的）' }), 'mine'), 'mine 本单位应报送的利用情况报告 · addressed 本单位（组织单位）批准的授权应报送的报告'),
      limit: described(pageLimit, '每页最多读取的申请数，1–100，默认 50（一份申请可有多份授权、多份报告）'),
      cursor: pageCursor,
    }),
    response: z.object({ items: z.array(useReportRowSchema), cursor: described(z.optional(z.string()), '还有更早的申请时返回：作为下一页的 cursor') }),
    description:
      '利用情况报告（R19.1）：每份共享授权应交的报告（期限届满或组织单位确定之日；超过一年的每满一年一份），含应交日期、剩余工作日（逾期为负数）与已提交的报告。' +
      'mine：本单位的授权（需求部门报送）；addressed：本单位作为组织单位批准的授权（查看报告提交情况）。超出本人密级权限的授权不列出。',
  }),
  ListDerivedProducts: contract({
    query: z.object({
      side: described(z._default(z.enum(['mine', 'addressed'], { error: 'side 应为 mine（本单位登记的）或 addressed（来源成果由本单位组织的）' }), 'mine'), 'mine 本单位登记的衍生产品 · addressed 来源成果由本单位组织、须本单位保密审查的'),
      limit: pageLimit,
      cursor: pageCursor,
    }),
    response: z.object({ items: z.array(derivedProductViewSchema), cursor: described(z.optional(z.string()), '还有更早的记录时返回：作为下一页的 cursor') }),
    description: '衍生产品列表（R18.2），新的在前：本单位登记的（含各来源成果的保密审查结论），或来源成果由本单位组织的。超出本人密级权限的不列出。',
  }),
  ListPublicApplications: contract({
    query: z.object({
      limit: described(z._default(z.coerce.number({ error: '每页条数应为整数' }).check(z.int('每页条数应为整数')).check(z.gte(1, '每页条数应在 1–100 之间')).check(z.lte(100, '每页条数应在 1–100 之间')), 50), '最多返回的条数，1–100，默认 50'),
    }),
    response: z.object({ items: z.array(publicApplicationViewSchema) }),
    description: '送本单位答复的公众申请（已验证邮箱的），新的在前，含答复期限和是否逾期。',
  }),
  GetPublicApplication: contract({
    path: publicApplicationPath,
    response: z.object({ application: publicApplicationViewSchema }),
    description: '一份公众申请及其办理记录（收到、延长、答复）。只有答复机关可查；其他单位 404。',
  }),
  ExtendPublicApplication: contract({
    path: publicApplicationPath,
    body: publicExtensionBodySchema,
    response: z.object({ application: publicApplicationViewSchema }),
    description: '答复机关的审核人员延长答复期限（R16.3）：期限届满前、只能一次、须说明理由，延长 20 个工作日；期限监督随之更新，邮件告知申请人。已延长 409 ALREADY_EXTENDED；期限已过 409 DEADLINE_PASSED。',
  }),
  AnswerPublicApplication: contract({
    path: publicApplicationPath,
    body: publicAnswerBodySchema,
    response: z.object({ application: publicApplicationViewSchema }),
    description: '答复公众申请（R16.3）：予以提供、部分提供或不予提供（后两者须写明法律依据）；期限监督记为按时或逾期办结，答复以中文邮件告知申请人。已答复 409 ALREADY_ANSWERED。',
  }),
  // R13.1 processing on request (shared/sharing/processing.ts)
  ProposeSharingProcessing: contract({
    path: grantPath,
    body: processingProposalBodySchema,
    response: z.object({ grant: grantViewSchema }),
    description: '保管单位提出加工方案（R13.1）',
  }),
  AcceptSharingProcessing: contract({
    path: grantPath,
    response: z.object({ grant: grantViewSchema }),
    description: '申请单位确认加工方案，进入期限监督（R13.1）',
  }),
  RequestProcessingUpload: contract({
    path: grantPath,
    body: processingUploadBodySchema,
    response: processingUploadViewSchema,
    description: '申报加工成果，得到预签名 PUT（R13.1）',
  }),
  DeliverSharingProcessing: contract({
    path: grantPath,
    response: z.object({ grant: grantViewSchema }),
    description: '核对 SHA-256 后列入授权文件（R13.1）',
  }),
};

/** The sharing context: applications, the organiser's review, the agreement, grants and logged downloads (issue 16, online); letters, confidentiality agreements and hand-overs (offline). */
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
      description: 'One grant (users, files, period, status) and the use agreement generated from it, with its SHA-256; the view logged (logs).',
      tables: { registry: 'read', logs: 'readWrite' },
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
      description: 'The grant\'s BagIt manifest-sha256.txt; the call logged (logs).',
      tables: { registry: 'read', logs: 'readWrite' },
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
    RecordDerivedPublication: {
      entry: './record-derived-publication.ts',
      description: 'The registrant records where a publishable derived product was published outside this system (R18.2; conditional, audited, on its timeline).',
      tables: auditedWrites,
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
      description: 'SharingReview: approved — online: the 用途声明 written once (documents), the review recorded and the grant created in one conditional transaction (use-report clocks started), the requester emailed to sign; offline: the approval letter or task order (and the confidentiality agreement) stored write-once in the documents bucket, the review recorded, the requester and the custodian emailed.',
      tables: auditedWrites,
      buckets: { custody: 'read', documents: 'readWrite' },
      sendsEmail: true,
    },
    GetSharingDocument: {
      entry: './get-sharing-document.ts',
      description: 'One stored offline-sharing document (letter, task order, confidentiality agreement) as printable HTML.',
      tables: readsRegistry,
      buckets: { documents: 'read' },
    },
    RequestConfidentialityScan: {
      entry: './request-confidentiality-scan.ts',
      description: 'The signed confidentiality agreement\'s scan declared (audited) and a presigned write-once PUT on the documents bucket issued.',
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    RecordSharingHandover: {
      entry: './record-sharing-handover.ts',
      description: 'The custodian records an offline hand-over (collector with masked ID, media, files checked against the approved custody files; the scan hashed); audited, the R17.1 clock met.',
      tables: auditedWrites,
      buckets: { documents: 'read' },
    },
    RejectSharing: {
      entry: './reject-sharing.ts',
      description: 'SharingReview: rejected (or unanswered) — the review closes with the reasons (audited); the requester is emailed (R16.2).',
      tables: auditedWrites,
      sendsEmail: true,
    },
    SubscribeSharingGrant: {
      entry: './subscribe-sharing-grant.ts',
      description: 'A named user subscribes a grant to new versions of its results (audited).',
      tables: auditedWrites,
    },
    ReapplyForSharing: {
      entry: './reapply-for-sharing.ts',
      description: 'One-step re-application: the application copied for the new version and submitted (audited); online: SharingReview per organiser starts.',
      tables: auditedWrites,
    },
    PushNewVersions: {
      entry: './push-new-versions.ts',
      description: 'Active push: a catalogue entry\'s new version emails each subscribed live grant\'s requester once (recorded, audited) with the one-step re-application.',
      timeoutSeconds: 60,
      tables: auditedWrites,
      sendsEmail: true,
    },
    ListSharingUseReports: {
      entry: './list-use-reports.ts',
      description: 'The use reports due on the grants of the caller\'s organisation, or of those it approved as organiser (R19.1), with working days left.',
      tables: readsRegistry,
    },
    ListDerivedProducts: {
      entry: './list-derived-products.ts',
      description: 'The derived products the caller\'s organisation registered, or those with a source it organises (R18.2).',
      tables: readsRegistry,
    },
    PublicApplicationForm: {
      entry: './public-application-form.ts',
      description: 'The public application form (a static page; reads and stores nothing).',
    },
    SubmitPublicApplication: {
      entry: './submit-public-application.ts',
      description: 'Public (no account): a further-use or disclosure application stored unverified with a hashed one-time code (audited, rate-limited per email); the code is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    VerifyPublicApplication: {
      entry: './verify-public-application.ts',
      description: 'Public: the emailed code verified — the application received, its R16.3 answer clock started (audited); a wrong code counted.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    ListPublicApplications: {
      entry: './list-public-applications.ts',
      description: 'Received public applications addressed to the caller\'s organisation.',
      tables: readsRegistry,
    },
    GetPublicApplication: {
      entry: './get-public-application.ts',
      description: 'One public application and its timeline (the answering organisation only).',
      tables: readsRegistry,
    },
    ExtendPublicApplication: {
      entry: './extend-public-application.ts',
      description: 'The answering organisation extends the answer period once by 20 working days with a reason (audited; the clock moves); the applicant is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    AnswerPublicApplication: {
      entry: './answer-public-application.ts',
      description: 'The answering organisation answers (granted / partly / refused with the legal ground; audited, the clock met); the applicant is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    ProposeSharingProcessing: {
      entry: './propose-sharing-processing.ts',
      description: 'R13.1: the custodian proposes the processing (audited); the requester is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    AcceptSharingProcessing: {
      entry: './accept-sharing-processing.ts',
      description: 'R13.1: the requester accepts (audited, clock started); the custodian is emailed.',
      tables: auditedWrites,
      sendsEmail: true,
    },
    RequestProcessingUpload: {
      entry: './request-processing-upload.ts',
      description: 'R13.1: the product declared (audited); a write-once presigned PUT.',
      tables: auditedWrites,
      buckets: { documents: 'readWrite' },
    },
    DeliverSharingProcessing: {
      entry: './deliver-sharing-processing.ts',
      description: 'R13.1: the product hashed and added to the grant (audited, clock met); emailed.',
      tables: auditedWrites,
      buckets: { documents: 'read' },
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
    GetSharingDocument: { method: 'GET', path: '/sharing/applications/{applicationId}/documents/{docId}', auth: 'any', summary: '离线共享文书（审批函、任务单、保密协议）', contract: sharingContracts.GetSharingDocument },
    RequestConfidentialityScan: { method: 'POST', path: '/sharing/applications/{applicationId}/confidentiality-scan', auth: ['requester', 'custodian'], summary: '上传保密协议签署扫描件', contract: sharingContracts.RequestConfidentialityScan },
    RecordSharingHandover: { method: 'POST', path: '/sharing/applications/{applicationId}/handover', auth: ['custodian'], summary: '登记离线交接', contract: sharingContracts.RecordSharingHandover },
    ChangeSharingGrantUsers: { method: 'POST', path: '/sharing/grants/{grantId}/users', auth: ['requester'], summary: '调整授权使用人', contract: sharingContracts.ChangeSharingGrantUsers },
    FileUseReport: { method: 'POST', path: '/sharing/grants/{grantId}/use-reports', auth: ['requester'], summary: '报送成果利用情况', contract: sharingContracts.FileUseReport },
    RegisterDerivedProduct: { method: 'POST', path: '/sharing/derived-products', auth: ['requester'], summary: '登记衍生产品', contract: sharingContracts.RegisterDerivedProduct },
    GetDerivedProduct: { method: 'GET', path: '/sharing/derived-products/{productId}', auth: 'any', summary: '衍生产品及保密审查', contract: sharingContracts.GetDerivedProduct },
    RecordDerivedPublication: { method: 'POST', path: '/sharing/derived-products/{productId}/publication', auth: ['requester'], summary: '登记衍生产品的发布位置', contract: sharingContracts.RecordDerivedPublication },
    GetSharingUsage: { method: 'GET', path: '/sharing/usage/{resultNumber}', auth: 'any', summary: '成果共享使用统计', contract: sharingContracts.GetSharingUsage },
    SubscribeSharingGrant: { method: 'POST', path: '/sharing/grants/{grantId}/subscription', auth: ['requester'], summary: '订阅成果新版本推送', contract: sharingContracts.SubscribeSharingGrant },
    ReapplyForSharing: { method: 'POST', path: '/sharing/applications/{applicationId}/reapplication', auth: ['requester'], summary: '一步重新申请（新版本推送）', contract: sharingContracts.ReapplyForSharing },
    ListSharingUseReports: { method: 'GET', path: '/sharing/use-reports', auth: 'any', summary: '利用情况报告（应交、已交、逾期）', contract: sharingContracts.ListSharingUseReports },
    ListDerivedProducts: { method: 'GET', path: '/sharing/derived-products', auth: 'any', summary: '衍生产品列表', contract: sharingContracts.ListDerivedProducts },
    PublicApplicationForm: { method: 'GET', path: '/public/applications/form', auth: 'public', summary: '公众申请页面', contract: sharingContracts.PublicApplicationForm },
    SubmitPublicApplication: { method: 'POST', path: '/public/applications', auth: 'public', summary: '公众申请（进一步利用已发布成果、政府信息公开，无需账号）', contract: sharingContracts.SubmitPublicApplication },
    VerifyPublicApplication: { method: 'POST', path: '/public/applications/{applicationId}/verification', auth: 'public', summary: '公众申请：验证邮箱（验证码）', contract: sharingContracts.VerifyPublicApplication },
    ListPublicApplications: { method: 'GET', path: '/sharing/public-applications', auth: 'any', summary: '送本单位答复的公众申请', contract: sharingContracts.ListPublicApplications },
    GetPublicApplication: { method: 'GET', path: '/sharing/public-applications/{applicationId}', auth: 'any', summary: '公众申请及办理记录', contract: sharingContracts.GetPublicApplication },
    ExtendPublicApplication: { method: 'POST', path: '/sharing/public-applications/{applicationId}/extension', auth: ['reviewer'], summary: '延长公众申请答复期限（一次，20 个工作日）', contract: sharingContracts.ExtendPublicApplication },
    AnswerPublicApplication: { method: 'POST', path: '/sharing/public-applications/{applicationId}/answer', auth: ['reviewer'], summary: '答复公众申请', contract: sharingContracts.AnswerPublicApplication },
    ProposeSharingProcessing: { method: 'POST', path: '/sharing/grants/{grantId}/processing/proposal', auth: ['custodian'], summary: '提出加工方案', contract: sharingContracts.ProposeSharingProcessing },
    AcceptSharingProcessing: { method: 'POST', path: '/sharing/grants/{grantId}/processing/acceptance', auth: ['requester'], summary: '确认加工方案', contract: sharingContracts.AcceptSharingProcessing },
    RequestProcessingUpload: { method: 'POST', path: '/sharing/grants/{grantId}/processing/upload', auth: ['custodian'], summary: '上传加工成果', contract: sharingContracts.RequestProcessingUpload },
    DeliverSharingProcessing: { method: 'POST', path: '/sharing/grants/{grantId}/processing/delivery', auth: ['custodian'], summary: '交付加工成果', contract: sharingContracts.DeliverSharingProcessing },
  },
  starts: {
    ApplyForSharing: ['SharingReview'],
    ReapplyForSharing: ['SharingReview'],
    RegisterDerivedProduct: ['DerivedProductReview'],
  },
  stateMachines: {
    SharingReview: {
      file: 'statemachines/sharing.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'GrantSharingAccess', 'RejectSharing', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
    DerivedProductReview: {
      file: 'statemachines/derived-product.asl.json',
      functions: [refTo<typeof tasks>('tasks', 'CreateHumanTask'), refTo<typeof verification>('verification', 'EscalateReview'), 'RecordDerivedReview', refTo<typeof platform>('platform', 'RecordWorkflowFailure')],
    },
  },
  humanTaskKinds: { sharingReview: sharingReviewKind, derivedProductReview: derivedProductReviewKind },
  streams: {
    SharingPushOnNewVersion: {
      table: 'registry',
      function: 'PushNewVersions',
      keys: { pkPrefix: 'CAT#', sk: 'META' },
      batchingWindowSeconds: 5,
      batchSize: 100,
      description: '成果目录条目出现新版本时，向订阅的共享授权主动推送（邮件，一步重新申请）',
    },
  },
});
