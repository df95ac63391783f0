/**
 * The console's view of the sharing, publication, feedback and self-inspection routes (issue 13), typed from the
 * context modules' zod contracts (type-only imports: nothing of zod or the server ships to the browser; a contract
 * change breaks `npm run lint`). Kept apart from contracts.ts so the pages of each context are added in one place.
 */
import type { z } from 'zod/mini';
import type { feedback } from '../../functions/feedback/context.ts';
import type { publicationContracts } from '../../functions/publication/context.ts';
import type { sharingContracts } from '../../functions/sharing/context.ts';
import type { supervision } from '../../functions/supervision/context.ts';

type ResponseOf<C> = C extends { readonly response: infer R extends z.core.$ZodType } ? z.output<R> : never;
type BodyOf<C> = C extends { readonly body: infer B extends z.core.$ZodType } ? z.input<B> : never;
type RouteContract<R> = R extends { readonly contract: infer C } ? C : never;

// ---- sharing (共享) ----
export type SharingApplicationBody = BodyOf<typeof sharingContracts.ApplyForSharing>;
export type SharingApplicationResult = ResponseOf<typeof sharingContracts.ApplyForSharing>;
export type SharingApplicationList = ResponseOf<typeof sharingContracts.ListSharingApplications>;
export type SharingApplication = SharingApplicationList['items'][number];
export type SharingGrantView = ResponseOf<typeof sharingContracts.GetSharingGrant>;
export type SignatureBody = BodyOf<typeof sharingContracts.SignSharingAgreement>;
export type SignedGrant = ResponseOf<typeof sharingContracts.SignSharingAgreement>;
// The offline chain, use reports, derived products and public applications (issue 13, helper U).
export type OfflineReview = NonNullable<SharingApplication['reviews'][number]['offline']>;
export type ScanBody = BodyOf<typeof sharingContracts.RequestConfidentialityScan>;
export type ScanUpload = ResponseOf<typeof sharingContracts.RequestConfidentialityScan>;
export type HandoverBody = BodyOf<typeof sharingContracts.RecordSharingHandover>;
export type HandoverResult = ResponseOf<typeof sharingContracts.RecordSharingHandover>;
export type UseReportList = ResponseOf<typeof sharingContracts.ListSharingUseReports>;
export type UseReportRow = UseReportList['items'][number];
export type UseReportBody = BodyOf<typeof sharingContracts.FileUseReport>;
export type FiledUseReport = ResponseOf<typeof sharingContracts.FileUseReport>;
export type DerivedProductList = ResponseOf<typeof sharingContracts.ListDerivedProducts>;
export type DerivedProduct = DerivedProductList['items'][number];
export type DerivedProductBody = BodyOf<typeof sharingContracts.RegisterDerivedProduct>;
export type RegisteredDerivedProduct = ResponseOf<typeof sharingContracts.RegisterDerivedProduct>;
export type PublicApplicationList = ResponseOf<typeof sharingContracts.ListPublicApplications>;
export type PublicApplication = PublicApplicationList['items'][number];
export type PublicAnswerBody = BodyOf<typeof sharingContracts.AnswerPublicApplication>;
export type PublicExtensionBody = BodyOf<typeof sharingContracts.ExtendPublicApplication>;
export type PublicApplicationResult = ResponseOf<typeof sharingContracts.AnswerPublicApplication>;

// ---- publication (发布) ----
export type ReleaseList = ResponseOf<typeof publicationContracts.ListReleases>;
export type PublicationRequestBody = BodyOf<typeof publicationContracts.RequestPublication>;
export type PublicationRequestView = ResponseOf<typeof publicationContracts.GetPublicationRequest>;
export type PublicationRequest = PublicationRequestView['request'];
export type AuthorityResolution = ResponseOf<typeof publicationContracts.ResolvePublicationAuthority>;
export type WithdrawalBody = BodyOf<typeof publicationContracts.WithdrawRelease>;
export type WithdrawalAsked = ResponseOf<typeof publicationContracts.WithdrawRelease>;

// ---- feedback (质量问题) ----
type Feedback = (typeof feedback)['routes'];
export type ReportProblemBody = BodyOf<RouteContract<Feedback['ReportQualityProblem']>>;
export type ReportedProblem = ResponseOf<RouteContract<Feedback['ReportQualityProblem']>>;
export type ProblemList = ResponseOf<RouteContract<Feedback['ListQualityProblems']>>;
export type QualityProblem = ProblemList['problems'][number];
export type DecideProblemBody = BodyOf<RouteContract<Feedback['DecideQualityProblem']>>;
export type DecidedProblem = ResponseOf<RouteContract<Feedback['DecideQualityProblem']>>;
export type VerifyProblemBody = BodyOf<RouteContract<Feedback['VerifyQualityProblem']>>;
export type VerifiedProblem = ResponseOf<RouteContract<Feedback['VerifyQualityProblem']>>;

// ---- self-inspections (保密自查) ----
type Supervision = (typeof supervision)['routes'];
export type SelfInspectionBody = BodyOf<RouteContract<Supervision['FileSelfInspection']>>;
export type FiledSelfInspection = ResponseOf<RouteContract<Supervision['FileSelfInspection']>>;
export type SelfInspection = FiledSelfInspection['selfInspection'];
export type SelfInspectionList = ResponseOf<RouteContract<Supervision['ListSelfInspections']>>;
export type ClosedRectification = ResponseOf<RouteContract<Supervision['CloseRectification']>>;
export type ChecklistArea = keyof SelfInspectionBody['checklist'];

/** The checklist's areas (shared/supervision/self-inspection-kinds.ts; keyed by the contract, so a new area must be labelled here). */
export const checklistLabels: Record<ChecklistArea, string> = {
  storage: '存储（涉密成果存放场所、设备与备份）',
  access: '访问控制（账号、密级权限、访问记录）',
  media: '介质管理（移动介质登记、使用与销毁）',
  training: '人员培训（保密教育与培训）',
};

// ---- the lists (issue 13): publication requests, problems across results, a unit's own self-inspections ----------
type QueryOf<C> = C extends { readonly query: infer Q extends z.core.$ZodType } ? z.input<Q> : never;
export type PublicationRequestList = ResponseOf<typeof publicationContracts.ListPublicationRequests>;
export type PublicationRequestRow = PublicationRequestList['items'][number];
export type PublicationListQuery = QueryOf<typeof publicationContracts.ListPublicationRequests>;
export type PublicationListSide = PublicationRequestList['side'];
export type PublicationStatus = PublicationRequestRow['status'];
export type OrgProblemList = ResponseOf<RouteContract<Feedback['ListOrgQualityProblems']>>;
export type OrgProblem = OrgProblemList['problems'][number];
export type ProblemState = OrgProblem['state'];
export type OwnSelfInspectionList = ResponseOf<RouteContract<Supervision['ListOwnSelfInspections']>>;
export type OwnSelfInspection = OwnSelfInspectionList['items'][number];

/** Keyed by the contracts' enums: a new status or state must be labelled here. */
export const publicationStatusLabels: Record<PublicationStatus, string> = {
  review: '保密审查中',
  returned: '已退回修改',
  approval: '待审批发布',
  refused: '不予发布',
  held: '已批准，等待发布条件',
  approved: '已批准发布',
};
export const publicationSideLabels: Record<PublicationListSide, string> = { prepared: '本单位申请的', review: '待本单位保密审查的', approval: '待本单位审批的' };
export const problemStateLabels: Record<ProblemState, string> = {
  reported: '待保管单位确认',
  confirmed: '已确认',
  rejected: '未确认（已驳回）',
  escalated: '重大问题待组织单位核实',
  correcting: '已责令实施单位改正',
  correctionSubmitted: '更正版本已提交，核验中',
  fixed: '已改正',
  dismissed: '不予责令改正',
};
