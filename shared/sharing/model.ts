import type { Classification } from '#shared/reference/classifications.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { ConflictError } from '#shared/errors.ts';

/** The grant of a review exists already (a retry or a concurrent approval recorded it). */
export class GrantExistsError extends ConflictError {
  constructor(grantId: string) {
    super('GRANT_EXISTS', `共享授权 ${grantId} 已存在`);
  }
}

/**
 * Sharing (共享, R13.1–R16.2): the records and the store. An application
 * (共享申请) names results by unified number; each result's organiser reviews
 * its part (one review per organiser, decided per result group); an approved
 * online review becomes a grant (共享授权) that the requester signs an
 * agreement for before any file is handed out.
 */
export const sharingChannels = ['online', 'offline'] as const;
export type SharingChannel = (typeof sharingChannels)[number];
export const sharingChannelLabels: Record<SharingChannel, string> = { online: '在线共享', offline: '离线共享' };

export const applicationStatuses = ['reviewing', 'decided', 'awaitingHandover', 'handedOver'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];
export const applicationStatusLabels: Record<ApplicationStatus, string> = { reviewing: '审核中', decided: '已审核', awaitingHandover: '已同意，待离线交接', handedOver: '已离线交接' };

export const reviewStatuses = ['pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];
export const reviewStatusLabels: Record<ReviewStatus, string> = { pending: '待审核', approved: '同意共享', rejected: '不予共享' };

export const grantStatuses = ['awaitingSignature', 'active', 'revoked'] as const;
export type GrantStatus = (typeof grantStatuses)[number];
export const grantStatusLabels: Record<GrantStatus, string> = { awaitingSignature: '待签署使用协议', active: '有效', revoked: '已撤销' };

/** The organiser's longest sharing period (one year; the same for every organiser until a setting exists). */
export const maxSharingDays = 366;
/** Presigned download URLs live this long (R16.1: minutes). */
export const downloadUrlSeconds = 300;
export const maxResultsPerApplication = 20;

export interface ApplicationItem {
  readonly resultNumber: string;
  readonly organiserOrg: string;
  readonly custodianOrg: string;
  readonly classification: Classification;
  /** Undefined: the whole result. */
  readonly files?: readonly string[];
}

/** The organiser's decision as the review's wait returns it (its schema: sharingDecisionSchema in ./sharing.ts). */
export interface SharingDecision {
  readonly taskId: string;
  readonly decision: 'approve' | 'return';
  readonly reasons: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
  /** The organiser's conditions with an approval (R15.1): a shorter period, fewer files, a narrower scope. */
  readonly conditions?: { readonly to?: string | undefined; readonly files?: readonly string[] | undefined; readonly scope?: string | undefined; readonly useReportDue?: string | undefined; readonly processing?: ProcessingConsent | undefined } | undefined;
}

export interface Review {
  readonly organiserOrg: string;
  readonly resultNumbers: readonly string[];
  readonly status: ReviewStatus;
  readonly decision?: SharingDecision;
  readonly grantId?: string;
  /** An approved offline review (R16.2, R17.1): its documents, the confidentiality agreement, the hand-overs. */
  readonly offline?: OfflineRecord;
}

// ---------------------------------------------------------------- the offline chain (R16.2, R17.1)

export const offlineDocumentKinds = ['approvalLetter', 'taskOrder', 'confidentialityAgreement'] as const;
export type OfflineDocumentKind = (typeof offlineDocumentKinds)[number];
export const offlineDocumentLabels: Record<OfflineDocumentKind, string> = { approvalLetter: '审批函', taskOrder: '任务单', confidentialityAgreement: '保密协议' };
/** The document id in the route …/documents/{docId}: `<kind slug>-<organiser>`. */
export const offlineDocumentSlugs: Record<OfflineDocumentKind, string> = { approvalLetter: 'approval-letter', taskOrder: 'task-order', confidentialityAgreement: 'confidentiality-agreement' };

/** One printable document, stored write-once in the documents bucket. */
export interface OfflineDocument {
  readonly docId: string;
  readonly kind: OfflineDocumentKind;
  /** 文号. */
  readonly number: string;
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly issuedAt: string;
  /** Organisation codes the document is addressed to and copied to (抄送). */
  readonly addressedTo: string;
  readonly copiedTo: readonly string[];
}

/** The signed scan of the confidentiality agreement: declared (presigned PUT), then checked against its bytes at the hand-over. */
export interface ConfidentialityScan {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly verifiedAt?: string;
}

export const idDocumentTypes = ['residentIdCard', 'officerCard', 'passport', 'mainlandTravelPermit', 'other'] as const;
export type IdDocumentType = (typeof idDocumentTypes)[number];
export const idDocumentLabels: Record<IdDocumentType, string> = { residentIdCard: '居民身份证', officerCard: '军官证', passport: '护照', mainlandTravelPermit: '港澳台居民来往内地通行证', other: '其他证件' };

export const mediaTypes = ['opticalDisc', 'classifiedUsb', 'hardDisk', 'other'] as const;
export type MediaType = (typeof mediaTypes)[number];
export const mediaTypeLabels: Record<MediaType, string> = { opticalDisc: '光盘', classifiedUsb: '专用移动存储介质（U 盘）', hardDisk: '移动硬盘', other: '其他介质' };

/** The custodian's record of one hand-over (R17.1); the collector's ID number is stored masked only. */
export interface Handover {
  readonly custodianOrg: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly date: string;
  readonly collector: { readonly name: string; readonly organisation: string; readonly idType: IdDocumentType; readonly idNumberMasked: string };
  readonly media: { readonly type: MediaType; readonly serial: string };
  readonly files: ReadonlyArray<{ readonly resultNumber: string; readonly path: string; readonly sha256: string; readonly size: number }>;
}

export interface OfflineRecord {
  readonly documents: readonly OfflineDocument[];
  /** The approved files (the custody manifest of each result's latest version at approval, narrowed by the application and the conditions). */
  readonly files: readonly GrantFile[];
  /** Results of 内部 and above: the agreement must be signed and its scan uploaded before any hand-over. */
  readonly confidentialityRequired: boolean;
  readonly scan?: ConfidentialityScan;
  readonly handovers: readonly Handover[];
  readonly classification: Classification;
  readonly from: string;
  readonly to: string;
  readonly scope: string;
}

/** The signed scan: PDF or an image, at most 20 MB (the hand-over reads it whole to hash it). */
export const scanContentTypes = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export const maxScanBytes = 20 * 1024 * 1024;

/** Write-once printable documents and uploaded scans in the documents bucket (adapters/s3-sharing-documents.ts). */
export interface SharingDocuments {
  /** PUT with If-None-Match: *; false when the key already holds an object (never rewritten). */
  putOnce(key: string, body: string, contentType: string): Promise<boolean>;
  /** putOnce for a text whose key is derived from its content's owner (a grant's 用途声明): an existing object is left as it is. */
  putText(key: string, body: string, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** A presigned PUT (minutes) whose SHA-256, size and If-None-Match are signed headers the client must send. */
  presignPut(key: string, opts: { sha256: string; size: number; contentType: string; expiresInSeconds: number }): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }>;
}

export interface TimelineEvent {
  readonly at: string;
  readonly type: string;
  readonly by: string;
  readonly note: string;
}

export interface SharingApplication {
  readonly applicationId: string;
  readonly requesterOrg: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly items: readonly ApplicationItem[];
  readonly purpose: string;
  readonly scope: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly contact: { readonly name: string; readonly phone: string; readonly email?: string };
  readonly channel: SharingChannel;
  readonly offlineReason?: string;
  /** The requester organisation's users who may download (the applicant always). */
  readonly users: readonly string[];
  /** A re-application (active push, 主动推送): the application it copies. */
  readonly basedOn?: string;
  /** R13.1: processing asked for (clip, convert, merge) with its free-text spec; the organiser consents or refuses it. */
  readonly processing?: ProcessingRequest;
  readonly reviews: readonly Review[];
  /** R19.1: the applicant organisation's use reports overdue when it applied (shown to the reviewer). */
  readonly overdueUseReports?: readonly { readonly grantId: string; readonly due: string }[];
  readonly status: ApplicationStatus;
  readonly timeline: readonly TimelineEvent[];
  /** Every change is conditional on the version read. */
  readonly version: number;
}

export interface GrantFile {
  readonly resultNumber: string;
  /** Custody version of the result. */
  readonly n: number;
  readonly path: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  /** R13.1: a processed product delivered by the custodian lives in the documents bucket (the results' files: custody). */
  readonly bucket?: 'documents';
}

export interface SharingGrant {
  readonly grantId: string;
  readonly applicationId: string;
  readonly requesterOrg: string;
  readonly users: readonly string[];
  readonly organiserOrg: string;
  readonly custodianOrgs: readonly string[];
  readonly resultNumbers: readonly string[];
  readonly classification: Classification;
  readonly files: readonly GrantFile[];
  readonly from: string;
  readonly to: string;
  readonly purpose: string;
  readonly scope: string;
  readonly status: GrantStatus;
  readonly createdAt: string;
  readonly approval: SharingDecision;
  readonly signature?: { readonly by: string; readonly name: string; readonly at: string; readonly sha256: string };
  readonly revocation?: { readonly by: string; readonly at: string; readonly reasons: string };
  /** Active push (主动推送): a named user subscribed the grant to new versions of its results. */
  readonly subscription?: { readonly by: string; readonly at: string };
  /** R18.1: the 用途声明 written once to the documents bucket when the grant was created (grants older than issue 17 have none). */
  readonly notice?: GrantNotice;
  /** R19.1: the use reports due under this grant, oldest due first (grants older than issue 17 have none). */
  readonly useReports?: readonly UseReportSlot[];
  /** R18.1: changes of the named users within the grant (who, when, added, removed). */
  readonly userChanges?: readonly { readonly by: string; readonly at: string; readonly added: readonly string[]; readonly removed: readonly string[] }[];
  /** R13.1: the processing the organiser consented to, its agreement and its delivery (shared/sharing/processing.ts). */
  readonly processing?: ProcessingRecord;
  readonly version: number;
}

/** The purpose notice (用途声明) that goes with every download of a grant (R18.1): a documents-bucket object, served like the files. */
export interface GrantNotice {
  /** The name it is saved under and its path in the BagIt manifest (data/<path>). */
  readonly path: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** A use report (利用情况报告, R19.1) as filed. */
export interface UseReport {
  readonly by: string;
  readonly byName: string;
  readonly at: string;
  /** How the results were applied. */
  readonly application: string;
  readonly projects: readonly string[];
  readonly outcomes: string;
  readonly problems: string;
  /** Filed after its due date. */
  readonly late: boolean;
}

/** One due use report of a grant: open until filed. */
export interface UseReportSlot {
  readonly due: string;
  /** yearly: a long grant's anniversary; end: the end of the period (or the date the organiser set at approval). */
  readonly kind: 'yearly' | 'end';
  readonly report?: UseReport;
}

/** One line of the sharing log (logs table SHARELOG#<grantId>): every URL issued. */
export interface DownloadLogLine {
  readonly grantId: string;
  readonly at: string;
  readonly userId: string;
  readonly orgCode: string;
  readonly resultNumber: string;
  readonly path: string;
  readonly size: number;
  readonly sourceIp: string;
  /** The purpose reference: the application the grant serves. */
  readonly applicationId: string;
  /** R18.1: the approved purpose and scope the download is bound to, and the notice's SHA-256 (absent on grants older than issue 17). */
  readonly purpose?: string;
  readonly scope?: string;
  readonly noticeSha256?: string;
  readonly requestId: string;
}

/** Usage per result × requester organisation × month (China time), updated with each log line, never by a scan. */
export interface UsageCounter {
  readonly resultNumber: string;
  readonly requesterOrg: string;
  readonly month: string;
  readonly downloads: number;
  readonly bytes: number;
  readonly distinctUsers: number;
}

/**
 * The registry items SHAREAPP#<id>, SHAREGRANT#<id>, SHARESTAT#<number>, their
 * list copies, and the logs-table lines (adapters/dynamo-sharing.ts); every
 * change with its audit record in one transaction.
 */
export interface SharingStore {
  createApplication(app: SharingApplication, audit: AuditEntry): Promise<void>;
  getApplication(applicationId: string): Promise<SharingApplication | undefined>;
  /** Conditional on `previousVersion`; else ConflictError APPLICATION_CHANGED. */
  updateApplication(app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void>;
  /**
   * The grant (only if absent) and the application moved on, in one transaction.
   * A grant already there → GrantExistsError (the approval was recorded by an earlier attempt).
   */
  createGrant(grant: SharingGrant, app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void>;
  getGrant(grantId: string): Promise<SharingGrant | undefined>;
  /** Conditional on `previousVersion`, with the application's timeline event in the same transaction. */
  updateGrant(grant: SharingGrant, previousVersion: number, app: SharingApplication, previousAppVersion: number, audit: AuditEntry): Promise<void>;
  /**
   * Newest first: an organisation's own applications (`by`), or those addressed to it as organiser (`to`);
   * `before` (a page's cursor, `<requestedAt>#<applicationId>` of its last application) continues after it.
   */
  listApplications(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<SharingApplication[]>;
  /** The log line, the usage counter and the audit record, in one transaction. */
  recordDownload(line: DownloadLogLine, audit: AuditEntry): Promise<void>;
  usage(resultNumber: string): Promise<UsageCounter[]>;
}

/** Short-lived GET URLs on the custody copy (adapters/s3-sharing-links.ts): the bytes never pass through a function. */
export interface DownloadLinks {
  /** `bucket`: the custody copy (default) or the documents bucket (the grant's 用途声明). */
  presignGet(key: string, opts: { expiresInSeconds: number; fileName: string; bucket?: 'custody' | 'documents' }): Promise<string>;
}

// ---------------------------------------------------------------- processing on request (R13.1)

export const processingKinds = ['clip', 'convert', 'merge'] as const;
export type ProcessingKind = (typeof processingKinds)[number];
export const processingKindLabels: Record<ProcessingKind, string> = { clip: '裁切', convert: '格式转换', merge: '合并' };

/** The organiser's explicit answer to the processing asked for, with the approval (refused: the plain data is granted). */
export const processingConsents = ['consent', 'refuse'] as const;
export type ProcessingConsent = (typeof processingConsents)[number];

/** What the requester asked for: the kinds and a free-text spec (area, format, layers). */
export interface ProcessingRequest {
  readonly kinds: readonly ProcessingKind[];
  readonly spec: string;
}

export const processingStatuses = ['consented', 'proposed', 'agreed', 'delivered'] as const;
export type ProcessingStatus = (typeof processingStatuses)[number];
export const processingStatusLabels: Record<ProcessingStatus, string> = { consented: '待提出方案', proposed: '待确认方案', agreed: '加工中', delivered: '已交付' };

/** A consented processing on a grant: consent, the custodian's proposal, the requester's acceptance, the uploaded product, its delivery. */
export interface ProcessingRecord extends ProcessingRequest {
  readonly status: ProcessingStatus;
  readonly consent: { readonly by: string; readonly at: string };
  /** What will be made, who does it, by when (the custodian; a new proposal replaces an unaccepted one). */
  readonly proposal?: { readonly what: string; readonly doneBy: string; readonly due: string; readonly by: string; readonly org: string; readonly at: string };
  readonly acceptance?: { readonly by: string; readonly at: string };
  /** The product declared for upload (presigned write-once PUT, SHA-256 signed), checked again at delivery. */
  readonly upload?: { readonly name: string; readonly key: string; readonly sha256: string; readonly size: number; readonly contentType: string; readonly by: string; readonly at: string };
  readonly delivery?: { readonly by: string; readonly at: string; readonly fileNo: number };
}

/** The delivered product is read and hashed whole at delivery (as the confidentiality scan is): at most 200 MB. */
export const maxProductBytes = 200 * 1024 * 1024;
