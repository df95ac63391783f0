/**
 * The console's view of the API, typed from the route contracts (zod) of the
 * context modules — type-only imports, so nothing of zod or the server ships
 * to the browser, and a contract change breaks `npm run lint` (vue-tsc), not
 * the console's users.
 */
import type { z } from 'zod/mini';
import type { catalogueContracts } from '../../functions/catalogue/context.ts';
import type { destructionContracts } from '../../functions/destruction/context.ts';
import type { identityContracts } from '../../functions/identity/context.ts';
import type { submissionContracts } from '../../functions/submission/contracts.ts';
import type { tasksContracts } from '../../functions/tasks/context.ts';
import type { Classification } from '../../shared/reference/classifications.ts';
import type { ThemeId } from '../../shared/reference/themes.ts';

type ResponseOf<C> = C extends { readonly response: infer R extends z.core.$ZodType } ? z.output<R> : never;
type BodyOf<C> = C extends { readonly body: infer B extends z.core.$ZodType } ? z.input<B> : never;
type QueryOf<C> = C extends { readonly query: infer Q extends z.core.$ZodType } ? z.input<Q> : never;

export type SignInSettings = ResponseOf<typeof identityContracts.GetSignInSettings>;
export type Me = ResponseOf<typeof identityContracts.GetMe>;
export type Role = Me['user']['roles'][number];

export type MyTasks = ResponseOf<typeof tasksContracts.ListMyHumanTasks>;
export type MyTask = MyTasks['items'][number];
export type HumanTaskView = ResponseOf<typeof tasksContracts.GetHumanTask>;
export type DecisionBody = BodyOf<typeof tasksContracts.DecideHumanTask>;

export type CatalogueQuery = QueryOf<typeof catalogueContracts.SearchCatalogue>;
export type CatalogueSearch = ResponseOf<typeof catalogueContracts.SearchCatalogue>;
export type CatalogueEntry = CatalogueSearch['items'][number];
export type CatalogueEntryView = ResponseOf<typeof catalogueContracts.GetCatalogueEntry>;

export type DestructionView = ResponseOf<typeof destructionContracts.GetDestruction>;

export type SurveyTaskList = ResponseOf<typeof submissionContracts.ListSurveyTasks>;
export type SurveyTaskView = SurveyTaskList['items'][number];
export type SurveyTaskInput = BodyOf<typeof submissionContracts.RegisterSurveyTask>;
export type RegisteredSurveyTask = ResponseOf<typeof submissionContracts.RegisterSurveyTask>;
export type Timeline = ResponseOf<typeof submissionContracts.GetSubmissionTimeline>;

export type { Classification, ThemeId };

/** Labels the search results do not carry; keyed by the contract's enums, so a new value must be labelled here. */
export const themeLabels: Record<ThemeId, string> = {
  landSurvey: '国土调查',
  forest: '森林资源',
  grassland: '草原资源',
  wetland: '湿地资源',
  water: '水资源',
  landCover: '地表覆盖',
  satelliteImagery: '卫星遥感影像',
  aerialPhotography: '航空摄影',
  dom: '数字正射影像（DOM）',
  dem: '数字高程模型（DEM）',
  dsm: '数字表面模型（DSM）',
  importantGeographicInformation: '重要地理信息数据',
  geological: '地质调查',
  marine: '海洋调查',
};

export const classificationOrder: readonly Classification[] = ['public', 'internal', 'secret', 'confidential', 'topSecret'];
export const classificationLabels: Record<Classification, string> = { public: '公开', internal: '内部', secret: '秘密', confidential: '机密', topSecret: '绝密' };
export const sharingModeLabels: Record<CatalogueEntry['sharingMode'], string> = { online: '在线共享', offline: '离线共享', conditional: '有条件共享', notShared: '不予共享' };

// ---- the custodian's and the administrator's pages (issue 13) -------------------------------------------------
import type { catalogueReport } from '../../functions/catalogue-report/context.ts';
import type { platform } from '../../functions/platform/context.ts';
import type { supervision } from '../../functions/supervision/context.ts';
import type { catalogueContracts as cat } from '../../functions/catalogue/context.ts';
import type { identityContracts as idc } from '../../functions/identity/context.ts';
import type { destructionContracts as dst } from '../../functions/destruction/context.ts';
import type { orgTypes } from '../../shared/schemas/identity.ts';

type RouteContract<R> = R extends { readonly contract: infer C } ? C : never;

export type RegisterEntryBody = BodyOf<typeof cat.RegisterCatalogueEntry>;
export type RegisteredEntry = ResponseOf<typeof cat.RegisterCatalogueEntry>;
export type EntryEdit = BodyOf<typeof cat.UpdateCatalogueEntry>;
export type UpdatedEntry = ResponseOf<typeof cat.UpdateCatalogueEntry>;
export type DestructionRequest = BodyOf<typeof dst.RequestDestruction>;

type Reports = (typeof catalogueReport)['routes'];
export type CatalogueReportList = ResponseOf<RouteContract<Reports['ListCatalogueReports']>>;
export type CatalogueReportView = CatalogueReportList['reports'][number];
export type CatalogueReportDetail = ResponseOf<RouteContract<Reports['GetCatalogueReport']>>;
export type SentCatalogueReport = ResponseOf<RouteContract<Reports['SendCatalogueReport']>>;

type Supervision = (typeof supervision)['routes'];
export type ClockList = ResponseOf<RouteContract<Supervision['ListClocks']>>;

type Platform = (typeof platform)['routes'];
export type HolidayTableBody = BodyOf<RouteContract<Platform['UpdateHolidayCalendar']>>;
export type HolidayUpdate = ResponseOf<RouteContract<Platform['UpdateHolidayCalendar']>>;
export type DeadlineView = ResponseOf<RouteContract<Platform['GetCalendar']>>;

export type Organisation = ResponseOf<typeof idc.GetOrganisation>['organisation'];
export type OrganisationView = ResponseOf<typeof idc.GetOrganisation>;
export type OrganisationList = ResponseOf<typeof idc.ListOrganisations>;
export type OrgResult = ResponseOf<typeof idc.CreateOrganisation>;
export type CreateOrgBody = BodyOf<typeof idc.CreateOrganisation>;
export type UpdateOrgBody = BodyOf<typeof idc.UpdateOrganisation>;
export type DesignationsBody = BodyOf<typeof idc.SetDesignations>;
export type Person = ResponseOf<typeof idc.ListUsers>['items'][number];
export type PersonList = ResponseOf<typeof idc.ListUsers>;
export type PersonResult = ResponseOf<typeof idc.CreateUser>;
export type CreatePersonBody = BodyOf<typeof idc.CreateUser>;
export type UpdatePersonBody = BodyOf<typeof idc.UpdateUser>;
export type ClearanceBody = BodyOf<typeof idc.UpdateUserClearance>;
export type OnboardingBody = BodyOf<typeof idc.ImportOnboarding>;
export type OnboardingReport = ResponseOf<typeof idc.ImportOnboarding>;
export type OrgType = (typeof orgTypes)[number];

export const orgTypeLabels: Record<OrgType, string> = {
  naturalResources: '自然资源主管部门',
  forestryGrassland: '林业和草原主管部门',
  custodian: '成果保管单位',
  implementer: '实施单位',
  technicalUnit: '技术单位',
  requester: '需求部门',
};
export const orgLevelLabels: Record<Organisation['level'], string> = { national: '国家级', provincial: '省级', municipal: '市级', county: '县级' };
export const roleLabels: Record<Role, string> = {
  submitter: '成果汇交人',
  reviewer: '技术审核人',
  custodian: '成果保管人',
  requester: '成果需求人',
  publisher: '发布审批人',
  supervisor: '监督人员',
  administrator: '系统管理员',
};

// ---- the browser upload (UploadPage): the same calls the CLI makes -------------------------------
export type SurveyTaskDetail = ResponseOf<typeof submissionContracts.GetSurveyTask>;
export type OpenSubmissionBody = BodyOf<typeof submissionContracts.OpenSubmission>;
export type CatalogueInput = NonNullable<OpenSubmissionBody['catalogue']>;
export type ManifestFileInput = OpenSubmissionBody['files'][number];
export type SubmissionDetail = ResponseOf<typeof submissionContracts.GetSubmission>;
export type SubmissionView = SubmissionDetail['submission'];
export type OpenedSubmission = ResponseOf<typeof submissionContracts.OpenSubmission>;
export type UploadUrlsBody = BodyOf<typeof submissionContracts.IssueUploadUrls>;
export type UploadUrls = ResponseOf<typeof submissionContracts.IssueUploadUrls>;
export type UploadStatus = ResponseOf<typeof submissionContracts.GetUploadStatus>;
export type CompleteFileBody = BodyOf<typeof submissionContracts.CompleteFileUpload>;
export type CompletedVersion = ResponseOf<typeof submissionContracts.CompleteVersion>;

import type { verificationContracts } from '../../functions/verification/context.ts';
export type VerificationReport = ResponseOf<typeof verificationContracts.GetVerificationReport>;

// ---- supervision: bulletins, clocks, incidents (issue 13, the supervisor's and organiser's pages) ----------------
export type ClockView = ClockList['items'][number];
export type ClockQuery = QueryOf<RouteContract<Supervision['ListClocks']>>;
export type BulletinList = ResponseOf<RouteContract<Supervision['ListBulletins']>>;
export type BulletinView = BulletinList['items'][number];
export type IssueBulletinBody = BodyOf<RouteContract<Supervision['IssueBulletin']>>;
export type IssuedBulletin = ResponseOf<RouteContract<Supervision['IssueBulletin']>>;
export type BulletinFile = ResponseOf<RouteContract<Supervision['GetBulletinFile']>>;
export type ReportIncidentBody = BodyOf<RouteContract<Supervision['ReportIncident']>>;
export type ReportedIncident = ResponseOf<RouteContract<Supervision['ReportIncident']>>;
export type IncidentList = ResponseOf<RouteContract<Supervision['ListIncidents']>>;
export type IncidentView = IncidentList['items'][number];
export type IncidentState = IncidentView['state'];
export type IncidentKind = IncidentView['kind'];
export type MoveIncidentBody = BodyOf<RouteContract<Supervision['MoveIncident']>>;
export type MovedIncident = ResponseOf<RouteContract<Supervision['MoveIncident']>>;

export const incidentKindLabels: Record<IncidentKind, string> = { leak: '泄密', loss: '丢失', damage: '损毁' };
export const incidentStateLabels: Record<IncidentState, string> = { reported: '已报告', verified: '已核实', measures: '已采取处置措施', closed: '已结案' };
/** The clock types declared today (shared/supervision/clock-types.ts; not imported: it would bring the deadline rules into the page). */
export const clockTypeOptions: readonly { id: string; label: string }[] = [
  { id: 'R6.1', label: 'R6.1 成果汇交' },
  { id: 'R7.2', label: 'R7.2 重新汇交' },
  { id: 'R8.1', label: 'R8.1 成果移交' },
  { id: 'R8.2', label: 'R8.2 林草成果副本' },
  { id: 'R9.1', label: 'R9.1 目录上报' },
  { id: 'R11.1', label: 'R11.1 发布保密审查' },
  { id: 'R12.1', label: 'R12.1 发布审批' },
  { id: 'R13.1', label: 'R13.1 按需加工交付' },
  { id: 'R15.1', label: 'R15.1 共享申请审核' },
  { id: 'R16.3', label: 'R16.3 公众申请答复' },
  { id: 'R17.1', label: 'R17.1 离线共享交接' },
  { id: 'R19.1', label: 'R19.1 利用情况报告' },
  { id: 'R19.2', label: 'R19.2 质量问题确认' },
  { id: 'R20.1', label: 'R20.1 保密自查' },
  { id: 'R20.1.rect', label: 'R20.1 自查整改' },
];

// ---- custody: the integrity audit's reports (完整性检查) --------------------------------------------------------
import type { custody } from '../../functions/custody/context.ts';
type Custody = (typeof custody)['routes'];
export type IntegrityAuditList = ResponseOf<RouteContract<Custody['ListIntegrityAudits']>>;
export type IntegrityRunView = IntegrityAuditList['items'][number];
export type IntegrityAuditDetail = ResponseOf<RouteContract<Custody['GetIntegrityAudit']>>;
export type IntegrityFinding = IntegrityAuditDetail['findings'][number];

// ---- 我的通知: what a person was emailed ------------------------------------------------------------------------
import type { notificationContracts } from '../../functions/identity/notification-contracts.ts';
export type NotificationList = ResponseOf<typeof notificationContracts.ListMyNotifications>;
export type NotificationView = NotificationList['items'][number];
export type MarkReadBody = BodyOf<typeof notificationContracts.MarkNotificationsRead>;
export type MarkedRead = ResponseOf<typeof notificationContracts.MarkNotificationsRead>;

// ---- transfer: the organiser starts the hand-over to custody (R8.1) -------------------------------------------
import type { transferContracts } from '../../functions/transfer/context.ts';
export type StartedTransfer = ResponseOf<(typeof transferContracts)['StartTransfer']>;
