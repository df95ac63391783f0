import { describe, expect, it } from 'vitest';
import type { TokenVerifier } from '#runtime/auth.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SecurityRecordStore } from '#shared/security/records.ts';
import { handler as getEntry } from '#functions/catalogue/get-catalogue-entry.ts';
import { handler as updateEntry } from '#functions/catalogue/update-catalogue-entry.ts';
import { handler as getDestruction } from '#functions/destruction/get-destruction.ts';
import { handler as requestDestruction } from '#functions/destruction/request-destruction.ts';
import { handler as sharingUsage } from '#functions/sharing/get-sharing-usage.ts';
import { FakeSharingStore } from './sharing-fakes.ts';
import { handler as resolveAuthority } from '#functions/publication/resolve-publication-authority.ts';
import { handler as withdrawRelease } from '#functions/publication/withdraw-release.ts';
import { handler as createRelease } from '#functions/publication/create-release.ts';
import { handler as listReleases } from '#functions/publication/list-releases.ts';
import { DynamoReleaseStore } from '#adapters/dynamo-release.ts';
import { FakeAuthorityStore, TableDerivedProducts } from './publication-fakes.ts';
import { handler as listUsersHandler } from '#functions/identity/list-users.ts';
import { handler as listSecurityRecordsHandler } from '#functions/identity/list-security-records.ts';
import { handler as abortUploads } from '#functions/submission/abort-uploads.ts';
import { handler as completeFileUpload } from '#functions/submission/complete-file-upload.ts';
import { handler as completeVersion } from '#functions/submission/complete-version.ts';
import { handler as createVersion } from '#functions/submission/create-submission-version.ts';
import { handler as getSubmission } from '#functions/submission/get-submission.ts';
import { handler as getTimeline } from '#functions/submission/get-submission-timeline.ts';
import { handler as getSurveyTask } from '#functions/submission/get-survey-task.ts';
import { handler as getUploadStatus } from '#functions/submission/get-upload-status.ts';
import { handler as issueUploadUrls } from '#functions/submission/issue-upload-urls.ts';
import { handler as startTransfer } from '#functions/transfer/start-transfer.ts';
import { handler as getReport } from '#functions/verification/get-report.ts';
import { handler as getReportHtml } from '#functions/verification/get-report-html.ts';
import { manifest, type RouteDef } from '#infra/manifest.ts';
import { seedUsers } from '#infra/local/seed.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import type { DestructionPorts } from '#shared/destruction/destruction.ts';
import { classifications, clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { User } from '#shared/schemas/identity.ts';
import { InMemorySecurityRecords } from '#shared/security/records.ts';
import { catalogueDeps, cataloguePorts, catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeMailer } from './custody-fakes.ts';
import { FakeDestructionStore } from './destruction-fakes.ts';
import { call, depsFor, portsFor, standardFiles, submissionWorld } from './submission-fakes.ts';
import { InMemoryDocuments } from './tasks-fakes.ts';

/** The identity handlers take their ports directly (`handler.with`); the other contexts still take deps objects. */
type StackDeps = { verifier: () => TokenVerifier; identity: () => IdentityRepository; securityRecords?: () => SecurityRecordStore };
const stackPorts = (d: StackDeps) => ({ verifier: d.verifier(), identity: d.identity(), ...(d.securityRecords ? { securityRecords: d.securityRecords() } : {}) });
const listUsers = (d: StackDeps) => listUsersHandler.with(stackPorts(d));
const listSecurityRecords = (d: StackDeps) => {
  const ports = stackPorts(d);
  if (!ports.securityRecords) throw new Error('test: securityRecords not given');
  return listSecurityRecordsHandler.with({ ...ports, securityRecords: ports.securityRecords, now: () => new Date() });
};

/**
 * The authorisation matrix (R3.1, R5.1, R20.1), generated from the manifest:
 * every route has one row saying what it protects; every route that reads or
 * writes a protected record is called through its real handler and the one
 * HTTP wrapper, by every demo user (every role; their organisation own,
 * superior or other to the record's), on a record at every classification.
 * The expected outcome comes from ONE function (`expected`) reading the row.
 */

type Handler = Parameters<typeof call>[0];
type Outcome = 'ok' | 'hidden' | 'forbidden';

/** The demo records belong to 广东省自然资源厅 (organiser), 广东省地质测绘院 (implementer) and 广东省自然资源技术中心 (custodian). */
const involved = ['440000-NR', '440000-IMP', '440000-CUS'];
/** Above them (R3.1): 自然资源部 above 广东省自然资源厅, which is above the two units. */
const superior = ['100000-NR'];
/** R7.1: the survey task's technical unit (the organiser's designation, 广东省国土资源测绘院) takes part in verifying it. */
const participants = ['440000-TEC'];
const relation = (u: User) => (involved.includes(u.orgCode) ? 'own' : superior.includes(u.orgCode) ? 'superior' : participants.includes(u.orgCode) ? 'participant' : 'other');

interface Rec {
  readonly classification: Classification;
  readonly submissionId: string;
  readonly resultNumber: string;
  readonly taskId: string;
}

interface RecordRow {
  readonly subject: 'submission' | 'entry';
  /**
   * `involved`: the organisations of the record and those above them; `verification`: those and the task's
   * technical units (R7.1: the submission, its report); `catalogue`: any organisation (R9.2).
   */
  readonly scope: 'involved' | 'verification' | 'catalogue';
  /** For a write or a narrower read: who the domain lets act once the rule passed (else 403). */
  readonly actor?: (u: User) => boolean;
  readonly handler: (w: World) => Handler;
  readonly path: (r: Pick<Rec, 'submissionId' | 'resultNumber'>) => Record<string, string>;
  readonly body?: unknown;
}
interface OtherRow {
  readonly subject: 'none' | 'surveyTask' | 'orgUsers' | 'humanTask' | 'catalogueReport' | 'list' | 'sharing';
  /** Why the route needs no per-record row here, or which test covers it. */
  readonly why: string;
}
type Row = RecordRow | OtherRow;

const sub = (r: Pick<Rec, 'submissionId'>) => ({ submissionId: r.submissionId });
const ver = (r: Pick<Rec, 'submissionId'>) => ({ submissionId: r.submissionId, n: '1' });
const ent = (r: Pick<Rec, 'resultNumber'>) => ({ resultNumber: r.resultNumber });
const implementerSubmitter = (u: User) => u.orgCode === '440000-IMP' && u.roles.includes('submitter');

/** One row per manifest route, keyed `METHOD path`. */
const matrix: Record<string, Row> = {
  'GET /health': { subject: 'none', why: 'public, no record' },
  'GET /auth/sign-in': { subject: 'none', why: 'public sign-in page; reads nothing (test/unit/sign-in-pages.test.ts)' },
  'GET /auth/callback': { subject: 'none', why: 'public callback page; reads nothing (test/unit/sign-in-pages.test.ts)' },
  'GET /auth/config': { subject: 'none', why: 'public: the issuer and public client id, no record' },
  'GET /openapi.json': { subject: 'none', why: 'public, no record' },
  'GET /me': { subject: 'none', why: 'the caller only' },
  'GET /notifications': { subject: 'none', why: 'the caller’s own (keyed by their registered email), no other record: test/unit/notifications.test.ts' },
  'POST /notifications/read': { subject: 'none', why: 'the caller’s own only; another’s id changes nothing: test/unit/notifications.test.ts' },
  'GET /orgs': { subject: 'none', why: 'the organisation tree is public to signed-in users (R3.1)' },
  'GET /orgs/{code}': { subject: 'none', why: 'the organisation tree is public to signed-in users (R3.1)' },
  'GET /orgs/{code}/users': { subject: 'orgUsers', why: 'need-to-know: the organisation, its superiors, administrators (below)' },
  'GET /security-records': { subject: 'list', why: 'supervisor of the organisation or above, administrators (below)' },
  'POST /orgs': { subject: 'none', why: 'administrators, in their own organisation and below; no classified record: test/unit/identity-admin.test.ts' },
  'PATCH /orgs/{code}': { subject: 'none', why: 'administrators, in their own organisation and below: test/unit/identity-admin.test.ts' },
  'PUT /orgs/{code}/designations': { subject: 'none', why: 'administrators of the organiser (R4.1, R7.1): test/unit/identity-designations.test.ts' },
  'POST /users': { subject: 'none', why: 'administrators, in scope, clearance not above their own: test/unit/identity-admin.test.ts' },
  'PATCH /users/{userId}': { subject: 'none', why: 'administrators, in scope; not oneself: test/unit/identity-admin.test.ts' },
  'POST /onboarding/imports': { subject: 'none', why: 'administrators; each row through the same rules as the single routes: test/unit/identity-onboarding.test.ts' },
  'PUT /users/{userId}/clearance': { subject: 'none', why: 'administrators; region and own clearance bound: test/unit/identity-domain.test.ts' },
  'PUT /calendar/{year}': { subject: 'none', why: 'administrators; no classified record' },
  'GET /calendar/deadline': { subject: 'none', why: 'no record' },
  'POST /pings': { subject: 'none', why: 'no classified record (its roles: the other issue-8 part)' },
  'POST /survey-tasks': { subject: 'none', why: 'creates a task; reviewer of the organiser: test/unit/submission-tasks.test.ts' },
  'GET /survey-tasks': { subject: 'list', why: 'tasks carry no classification; own organisation or below: test/unit/submission-tasks.test.ts' },
  'GET /survey-tasks/{taskId}': { subject: 'surveyTask', why: 'scope; its submissions filtered by clearance (below)' },
  'PUT /survey-tasks/{taskId}/completion': { subject: 'none', why: 'the implementer’s submitter; tasks carry no classification' },
  'PUT /survey-tasks/{taskId}/arrangement': { subject: 'none', why: 'the organiser’s reviewer or administrator (R7.1); tasks carry no classification: test/unit/survey-task-arrangement.test.ts' },
  'POST /survey-tasks/{taskId}/submissions': { subject: 'none', why: 'creates the record; declaring it classified holds it offline (R5.1)' },
  'POST /submissions/{submissionId}/versions': {
    subject: 'submission', scope: 'involved', actor: implementerSubmitter, handler: (w) => createVersion.with(w.ports), path: sub,
    body: { files: standardFiles },
  },
  'POST /submissions/{submissionId}/versions/{n}/upload-urls': {
    subject: 'submission', scope: 'involved', actor: implementerSubmitter, handler: (w) => issueUploadUrls.with(w.ports), path: ver,
    body: { files: [{ path: 'data/landuse.gpkg' }] },
  },
  'GET /submissions/{submissionId}/versions/{n}/uploads': { subject: 'submission', scope: 'involved', handler: (w) => getUploadStatus.with(w.ports), path: ver },
  'POST /submissions/{submissionId}/versions/{n}/files/complete': {
    subject: 'submission', scope: 'involved', actor: implementerSubmitter, handler: (w) => completeFileUpload.with(w.ports), path: ver,
    body: { path: 'data/landuse.gpkg', parts: [{ partNumber: 1, etag: '"e1"' }] },
  },
  'DELETE /submissions/{submissionId}/versions/{n}/uploads': {
    subject: 'submission', scope: 'involved', actor: implementerSubmitter, handler: (w) => abortUploads.with(w.ports), path: ver,
  },
  'POST /submissions/{submissionId}/versions/{n}/complete': {
    subject: 'submission', scope: 'involved', actor: implementerSubmitter, handler: (w) => completeVersion.with(w.ports), path: ver,
  },
  'GET /submissions/{submissionId}': { subject: 'submission', scope: 'verification', handler: (w) => getSubmission.with(w.ports), path: sub },
  'GET /submissions/{submissionId}/timeline': { subject: 'submission', scope: 'involved', handler: (w) => getTimeline.with(w.ports), path: sub },
  'GET /human-tasks/{id}/page': { subject: 'none', why: 'public static shell; reads nothing' },
  'GET /human-tasks': { subject: 'list', why: 'the caller’s own open tasks; a task above the clearance is left out: test/unit/my-tasks.test.ts' },
  'GET /human-tasks/{id}': { subject: 'humanTask', why: 'assignees (and, R7.1, a review task’s technical units and custodian, read only), and the task’s record through the rule: test/unit/access-rule.test.ts, test/unit/verification-countersign.test.ts' },
  'POST /human-tasks/{id}/decision': { subject: 'humanTask', why: 'assignees only, and the task’s record through the rule: test/unit/access-rule.test.ts' },
  'GET /submissions/{submissionId}/versions/{n}/report': { subject: 'submission', scope: 'verification', handler: (w) => getReport.with(w.verificationPorts), path: ver },
  'GET /submissions/{submissionId}/versions/{n}/report.html': { subject: 'submission', scope: 'verification', handler: (w) => getReportHtml.with(w.verificationPorts), path: ver },
  'GET /submissions/{submissionId}/versions/{n}/report/page': { subject: 'none', why: 'public static shell; reads nothing' },
  'POST /catalogue': { subject: 'none', why: 'custodian of the submission’s custodian; clearance first (404): test/unit/catalogue-entries.test.ts' },
  'GET /catalogue': { subject: 'list', why: 'search filtered by clearance in the key query: test/unit/catalogue-search.test.ts' },
  'GET /catalogue/{resultNumber}': { subject: 'entry', scope: 'catalogue', handler: (w) => getEntry.with(w.catPorts), path: ent },
  'PATCH /catalogue/{resultNumber}': {
    subject: 'entry', scope: 'catalogue', actor: (u) => u.orgCode === '440000-CUS' && u.roles.includes('custodian'),
    handler: (w) => updateEntry.with(w.catPorts), path: ent, body: { reason: '核对访问规则', expectedVersion: 99 },
  },
  'POST /catalogue/{resultNumber}/destruction': {
    subject: 'entry', scope: 'catalogue', actor: (u) => u.orgCode === '440000-CUS' && u.roles.includes('custodian'),
    handler: (w) => requestDestruction.with(w.destructionPorts), path: ent, body: { reasons: '核对访问规则的矩阵测试（不执行销毁）' },
  },
  'GET /catalogue/{resultNumber}/destruction': {
    subject: 'entry', scope: 'catalogue', actor: (u) => ['440000-CUS', '440000-NR'].includes(u.orgCode) || u.roles.includes('administrator'),
    handler: (w) => getDestruction.with(w.destructionPorts), path: ent,
  },
  'POST /catalogue-reports': { subject: 'none', why: 'custodian sends its own entries; lines rendered per reader' },
  'GET /catalogue-reports': { subject: 'list', why: 'organisation scope: test/unit/catalogue-report-domain.test.ts' },
  'GET /catalogue-reports/{reportId}': { subject: 'catalogueReport', why: 'each line through the clearance step (number only above it): test/unit/catalogue-report-domain.test.ts' },
  'GET /catalogue-reports/{reportId}/files/{format}': { subject: 'catalogueReport', why: 'each line through the clearance step: test/unit/catalogue-report-domain.test.ts' },
  'POST /public-catalogue/refresh': { subject: 'none', why: 'publishes 公开 entries only (R9.3)' },
  'POST /supervision/bulletins': { subject: 'list', why: 'supervisor or organiser’s reviewer for its own organisation or below (403 naming body.org): test/unit/supervision-bulletin.test.ts' },
  'GET /supervision/bulletins': { subject: 'list', why: 'supervisor or organiser’s reviewer of the organisation or above, administrators: test/unit/supervision-bulletin.test.ts' },
  'GET /supervision/bulletins/{bulletinId}/files/{format}': { subject: 'list', why: 'bulletins carry no classification; out of scope is 404: test/unit/supervision-bulletin.test.ts' },
  'GET /supervision/bulletins/{bulletinId}/page': { subject: 'none', why: 'public static shell; reads nothing' },
  'GET /supervision/evaluations/{evaluationId}/file': { subject: 'list', why: 'R19.2 evaluations carry counts only, no classification; the custodian’s people and the organiser’s reviewers or supervisors at or above it, others 404: test/unit/supervision-evaluation.test.ts' },
  'POST /supervision/incidents': { subject: 'list', why: 'any signed-in user reports; the response hides results above the reporter’s clearance: test/unit/supervision-incidents.test.ts' },
  'POST /supervision/incidents/{incidentId}/transitions': { subject: 'list', why: 'organiser’s reviewers and supervisors of the owner or above; the reporter 403, others 404: test/unit/supervision-incidents.test.ts' },
  'GET /supervision/incidents': { subject: 'list', why: 'supervisor or organiser’s reviewer of the organisation or above (another province 404); results above the clearance hidden: test/unit/supervision-incidents.test.ts' },
  'GET /supervision/incidents/{incidentId}': { subject: 'list', why: 'reporter, organiser’s reviewers, supervisors of the owner or above, else 404; results above the clearance hidden: test/unit/supervision-incidents.test.ts' },
  'POST /supervision/self-inspections': { subject: 'list', why: 'custodians and requesting departments file for their own organisation only (others 403); carries no classified record: test/unit/supervision-self-inspections.test.ts' },
  'GET /supervision/self-inspections': { subject: 'list', why: 'supervisor or organiser’s reviewer of the organisation or above, administrators (as the clock list): test/unit/supervision-self-inspections.test.ts' },
  'GET /supervision/self-inspections/own': { subject: 'list', why: 'the caller’s own organisation only (keyed by it; no parameter names another), custodians and requesting departments (others 403); carries no classified record: test/unit/supervision-self-inspections.test.ts' },
  'POST /supervision/self-inspections/{inspectionId}/rectifications/{index}/close': { subject: 'list', why: 'the filing unit or a supervisor in scope; others 404: test/unit/supervision-self-inspections.test.ts' },
  'POST /supervision/confidentiality-reviews': { subject: 'list', why: 'reviewer or publisher of the entry’s organiser (403); the entry within the clearance first, else 404 as the catalogue: test/unit/supervision-confidentiality-reviews.test.ts' },
  'GET /supervision/confidentiality-reviews': { subject: 'list', why: 'supervisor or organiser’s reviewer of the organisation or above (another province 404); entry names above the clearance hidden: test/unit/supervision-confidentiality-reviews.test.ts' },
  'GET /supervision/security-records': { subject: 'list', why: 'supervisor of the organisation or above, administrators (others 403); records name targets and classifications only: test/unit/supervision-security-records.test.ts' },
  'GET /supervision/clocks': { subject: 'list', why: 'supervisor or organiser’s reviewer of the organisation or above, administrators; a custodian its own organisation only (issue 13): test/unit/supervision-clocks.test.ts' },
  'GET /custody/integrity-audits': { subject: 'list', why: 'custodians, reviewers, supervisors, administrators; each run’s findings counted for the organisations they concern and those above: test/unit/custody-integrity-reports.test.ts' },
  'GET /custody/integrity-audits/{runId}': { subject: 'list', why: 'findings of the organisations involved and those above (R3.1); a result above clearance by number only (R5.1): test/unit/custody-integrity-reports.test.ts' },
  'POST /feedback/problems': { subject: 'list', why: 'requester or the result’s custodian; the entry through the clearance rule (above it 404), others 403: test/unit/feedback-problems.test.ts' },
  'GET /feedback/problems': { subject: 'list', why: 'the caller’s own organisation only: a custodian its results’ problems, the organiser’s reviewer the escalated ones (others 403); each result through the clearance rule (above it not listed): test/unit/feedback-problems.test.ts' },
  'GET /feedback/results/{resultNumber}/problems': { subject: 'list', why: 'the entry through the clearance rule (above it 404): test/unit/feedback-problems.test.ts' },
  'POST /feedback/problems/{problemId}/decision': { subject: 'list', why: 'custodian of the result’s custodian organisation, else 403; entry above the clearance 404: test/unit/feedback-problems.test.ts' },
  'POST /sharing/derived-products/{productId}/publication': { subject: 'list', why: 'the registrant’s own organisation only (another 404), publishable only (409): test/unit/sharing-domain.test.ts' },
  'POST /feedback/problems/{problemId}/attachments': { subject: 'list', why: 'the reporter only, else 403; the result above the clearance 404: test/unit/feedback-problems.test.ts' },
  'GET /feedback/problems/{problemId}/attachments/{n}': { subject: 'list', why: 'the reporter, the result’s custodian or organiser organisation, else 403; the result above the clearance 404: test/unit/feedback-problems.test.ts' },
  'POST /feedback/problems/{problemId}/verification': { subject: 'list', why: 'reviewer of the result’s organiser, else 403; entry above the clearance 404: test/unit/feedback-problems.test.ts' },
  'GET /publication/authorities': { subject: 'none', why: 'the authority table is public to signed-in users; no classified record (R12.3)' },
  'PUT /publication/authorities': { subject: 'none', why: 'administrators; provincial ones their own province only: test/unit/publication-authority.test.ts' },
  'POST /catalogue/{resultNumber}/releases': {
    // The organiser's reviewers and publishers, the custodian's custodians, the organiser's technical units' reviewers (shared/publication/release.ts).
    subject: 'entry', scope: 'catalogue',
    actor: (u) => (u.orgCode === '440000-NR' && u.roles.some((r) => r === 'reviewer' || r === 'publisher')) || (u.orgCode === '440000-CUS' && u.roles.includes('custodian')) || (u.orgCode === '440000-TEC' && u.roles.includes('reviewer')),
    handler: (w) => createRelease.with(w.publicationPorts), path: ent, body: { submissionId: 'ffffffff-ffff-4fff-8fff-fffffffffff0', classification: 'public' },
  },
  'GET /catalogue/{resultNumber}/releases': { subject: 'entry', scope: 'catalogue', handler: (w) => listReleases.with(w.publicationPorts), path: ent },
  'POST /publication/requests': { subject: 'none', why: 'the release version through the one rule (404 above the clearance), then who may prepare it (403): test/unit/publication-request.test.ts' },
  'GET /publication/requests': { subject: 'list', why: 'the caller’s own organisation on each side (prepared, review, approval) from the index keyed by it; a release above the clearance is not listed (as its GET answers 404): test/unit/publication-request.test.ts' },
  'GET /publication/requests/{requestId}': { subject: 'none', why: 'the release version through the one rule (404), then the organisations concerned (403): test/unit/publication-request.test.ts' },
  'POST /publication/requests/{requestId}/resubmissions': { subject: 'none', why: 'the request as read (404/403), then the new release version as for a request: test/unit/publication-request.test.ts' },
  'GET /public/downloads/{releaseNumber}/{path+}': { subject: 'none', why: 'public by law once released (R17.2); unreleased, withdrawn or unknown → 404 whoever asks: test/unit/publication-publish.test.ts' },
  'POST /publication/releases/{releaseNumber}/withdrawal': {
    // 申请撤回: the preparer side (as for preparing a release) or the approving authority the table resolves for the entry (a provincial result of 广东: 广东省自然资源厅's publishers); a non-release → 409 after that.
    subject: 'entry', scope: 'catalogue',
    actor: (u) => (u.orgCode === '440000-NR' && u.roles.some((r) => r === 'reviewer' || r === 'publisher')) || (u.orgCode === '440000-CUS' && u.roles.includes('custodian')) || (u.orgCode === '440000-TEC' && u.roles.includes('reviewer')),
    handler: (w) => withdrawRelease.with(w.publicationPorts), path: (r) => ({ releaseNumber: r.resultNumber }), body: { reason: '矩阵测试撤回' },
  },
  'GET /catalogue/{resultNumber}/publication-authority': { subject: 'entry', scope: 'catalogue', handler: (w) => resolveAuthority.with(w.publicationPorts), path: ent },
  'POST /sharing/applications': { subject: 'sharing', why: 'requesters; a result above the clearance is applied for by number, its details not shown: test/unit/sharing-domain.test.ts (R14.1, R5.1)' },
  'GET /sharing/applications': { subject: 'sharing', why: 'own organisation’s or addressed to it as organiser; results above the clearance by number only: test/unit/sharing-domain.test.ts' },
  'GET /sharing/applications/{applicationId}': { subject: 'sharing', why: 'requester organisation, the results’ organisers and custodians, else 404 — every demo user: test/unit/sharing-domain.test.ts' },
  'GET /sharing/grants/{grantId}': { subject: 'sharing', why: 'requester organisation, organiser, custodians within clearance, else 404: test/unit/sharing-domain.test.ts' },
  'POST /sharing/grants/{grantId}/agreement/signature': { subject: 'sharing', why: 'the grant’s named users only: test/unit/sharing-domain.test.ts' },
  'POST /sharing/grants/{grantId}/revocation': { subject: 'sharing', why: 'the organiser’s reviewers only: test/unit/sharing-domain.test.ts' },
  'GET /sharing/grants/{grantId}/files/{fileNo}': { subject: 'sharing', why: 'named users of an active grant in its period; another organisation 404, the custodian 403, expired/revoked 403: test/unit/sharing-domain.test.ts' },
  'GET /sharing/grants/{grantId}/manifest': { subject: 'sharing', why: 'as the grant: test/unit/sharing-domain.test.ts' },
  'GET /sharing/applications/{applicationId}/documents/{docId}': { subject: 'sharing', why: 'requester organisation, organiser, custodian within the documents’ classification, else 404 — every demo user × public/internal: test/unit/sharing-offline.test.ts (R3.1 R5.1)' },
  'POST /sharing/applications/{applicationId}/confidentiality-scan': { subject: 'sharing', why: 'the requester’s named users or the custodian, within the classification; another organisation 404: test/unit/sharing-offline.test.ts (R17.1)' },
  'POST /sharing/applications/{applicationId}/handover': { subject: 'sharing', why: 'custodians of the results only (role, then organisation); before approval 409: test/unit/sharing-offline.test.ts (R17.1)' },
  'POST /sharing/grants/{grantId}/subscription': { subject: 'sharing', why: 'the grant’s named users only (as signing); another organisation 404: test/unit/sharing-push.test.ts' },
  'POST /sharing/applications/{applicationId}/reapplication': { subject: 'sharing', why: 'the requester organisation only (others 404); the copy goes through POST /sharing/applications’ rules: test/unit/sharing-push.test.ts' },
  'GET /public/applications/form': { subject: 'none', why: 'public static form; reads and stores nothing: test/unit/sharing-public.test.ts' },
  'POST /public/applications': { subject: 'none', why: 'public by law (R14.2, R16.3): no account; only 公开 catalogued results are accepted, an internal or classified number is refused exactly as an unknown one: test/unit/sharing-public.test.ts' },
  'POST /public/applications/{applicationId}/verification': { subject: 'none', why: 'public: the emailed one-time code is the credential; reads and returns nothing but the receipt: test/unit/sharing-public.test.ts' },
  'GET /sharing/public-applications': { subject: 'none', why: 'the answering organisation’s received applications only; no classified record (public results or disclosure requests): test/unit/sharing-public.test.ts' },
  'GET /sharing/public-applications/{applicationId}': { subject: 'none', why: 'the answering organisation only, else 404: test/unit/sharing-public.test.ts' },
  'POST /sharing/public-applications/{applicationId}/extension': { subject: 'none', why: 'reviewers of the answering organisation (others 404): test/unit/sharing-public.test.ts' },
  'POST /sharing/public-applications/{applicationId}/answer': { subject: 'none', why: 'reviewers of the answering organisation (others 404): test/unit/sharing-public.test.ts' },
  'POST /sharing/grants/{grantId}/users': { subject: 'sharing', why: 'requesters: a named user of the grant, own organisation’s users only; another organisation 404, the organiser 403 (R18.1): test/unit/sharing-domain.test.ts' },
  'POST /sharing/derived-products': { subject: 'sharing', why: 'requesters holding a signed grant on every source; another organisation’s grant 404, a source never held 409 (R18.2): test/unit/sharing-domain.test.ts' },
  'GET /sharing/derived-products/{productId}': { subject: 'sharing', why: 'the registering organisation and its sources’ organisers within clearance, else 404 (R18.2): test/unit/sharing-domain.test.ts' },
  'GET /sharing/use-reports': { subject: 'sharing', why: 'the grants of the caller’s own organisation (mine) or those it approved as organiser (addressed), within clearance; nothing else is listed (R19.1): test/unit/sharing-lists.test.ts' },
  'GET /sharing/derived-products': { subject: 'sharing', why: 'the caller’s own organisation’s products (mine) or those with a source it organises (addressed), within clearance (R18.2): test/unit/sharing-lists.test.ts' },
  'POST /sharing/grants/{grantId}/processing/proposal': { subject: 'sharing', why: 'custodians of the grant’s custodian organisation (R13.1); another organisation 404, the requester 403: test/unit/sharing-processing.test.ts' },
  'POST /sharing/grants/{grantId}/processing/acceptance': { subject: 'sharing', why: 'the grant’s named users (R13.1); another organisation 404, the custodian 403: test/unit/sharing-processing.test.ts' },
  'POST /sharing/grants/{grantId}/processing/upload': { subject: 'sharing', why: 'custodians of the grant’s custodian organisation, after the agreement (R13.1): test/unit/sharing-processing.test.ts' },
  'POST /sharing/grants/{grantId}/processing/delivery': { subject: 'sharing', why: 'custodians of the grant’s custodian organisation, the uploaded bytes checked (R13.1): test/unit/sharing-processing.test.ts' },
  'POST /sharing/grants/{grantId}/use-reports': { subject: 'sharing', why: 'requesters of the grant’s organisation; another organisation 404 (R19.1): test/unit/sharing-domain.test.ts' },
  'GET /sharing/usage/{resultNumber}': {
    subject: 'entry', scope: 'catalogue', actor: (u) => ['440000-CUS', '440000-NR'].includes(u.orgCode),
    handler: (w) => sharingUsage.with(w.sharingPorts), path: ent,
  },
  'POST /submissions/{submissionId}/transfer': {
    subject: 'submission', scope: 'involved', actor: (u) => u.orgCode === '440000-NR' && u.roles.includes('reviewer'),
    handler: (w) => startTransfer.with(w.transferPorts), path: sub,
  },
};

/** THE expected outcome: role (manifest) → clearance (404, as if absent) → organisation scope (403) → the domain's actor (403). */
function expected(route: RouteDef, row: RecordRow, u: User, r: Pick<Rec, 'classification'>): Outcome {
  if (route.auth !== 'any' && route.auth !== 'public' && !route.auth.some((role) => u.roles.includes(role))) return 'forbidden';
  if (!clearanceAllows(u.clearance, r.classification)) return 'hidden';
  if (row.scope === 'involved' && (relation(u) === 'other' || relation(u) === 'participant')) return 'forbidden';
  if (row.scope === 'verification' && relation(u) === 'other') return 'forbidden';
  if (row.actor && !row.actor(u)) return 'forbidden';
  return 'ok';
}

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const catDeps = catalogueDeps(world, cat);
  const records = new InMemorySecurityRecords();
  const base = { verifier: catDeps.verifier, identity: catDeps.identity, securityRecords: () => records };
  const recs: Rec[] = [];
  for (const classification of classifications) {
    const submissionId = await verifiedSubmission(world, { classification, name: `矩阵测试成果（${classification}）` });
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: `reg-${classification}` });
    const s = await world.store.getSubmission(submissionId);
    recs.push({ classification, submissionId, resultNumber: entry.resultNumber, taskId: s!.taskId });
  }
  let n = 0;
  const destructionPorts: DestructionPorts = {
    catalogue: cat.store,
    destructions: new FakeDestructionStore(),
    identity: world.identity,
    mailer: new FakeMailer(),
    workflow: world.workflow,
    now: () => world.now,
    newId: () => `d${++n}`,
  };
  const documents = new InMemoryDocuments();
  return {
    world,
    records,
    recs,
    deps: { ...depsFor(world), securityRecords: () => records },
    ports: { ...portsFor(world), securityRecords: records },
    catPorts: { ...cataloguePorts(world, cat), securityRecords: records },
    // The report routes read the store, the identity and the documents bucket only.
    verificationPorts: { ...stackPorts(base), submissions: world.store, documents },
    destructionPorts: { ...destructionPorts, ...stackPorts(base) },
    sharingPorts: { ...stackPorts(base), catalogue: cat.store, sharing: new FakeSharingStore() },
    transferPorts: { ...stackPorts(base), submissions: world.ports.store, workflow: world.ports.workflow, now: world.ports.now },
    publicationPorts: { ...stackPorts(base), catalogue: cat.store, authorities: new FakeAuthorityStore(), submissions: world.store, releases: new DynamoReleaseStore(cat.table), derived: new TableDerivedProducts(world.tables), workflow: world.workflow, now: () => world.now },
  };
}
type World = Awaited<ReturnType<typeof setup>>;

const key = (r: RouteDef) => `${r.method} ${r.path}`;
const pathOf = (template: string, params: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_m, k: string) => params[k] ?? '');
const missing = { submissionId: 'ffffffff-ffff-4fff-8fff-ffffffffffff', resultNumber: '440000-CUS-2026-GT-999999' };

describe('R3.1 R5.1 R7.1 R20.1 authorisation matrix from the manifest', () => {
  it('has exactly one row for every manifest route (a new route without a row fails here)', () => {
    const routes = manifest.routes.map(key).sort();

    expect(Object.keys(matrix).sort()).toEqual(routes);
  });

  it('answers every route × demo user × own/superior/other organisation × classification as the one table says', async () => {
    const w = await setup();
    const rows = manifest.routes.filter((r) => 'handler' in matrix[key(r)]!);
    const mismatches: string[] = [];
    let cells = 0;
    for (const route of rows) {
      const row = matrix[key(route)] as RecordRow;
      for (const u of seedUsers) {
        // What a record that does not exist looks like to this user: a hidden record must look the same.
        const absent = await call(row.handler(w), route.method, pathOf(route.path, row.path(missing)), { user: u.userId, pathParameters: row.path(missing), ...(row.body !== undefined ? { body: row.body } : {}) });
        for (const r of w.recs) {
          const want = expected(route, row, u, r);
          const res = await call(row.handler(w), route.method, pathOf(route.path, row.path(r)), {
            user: u.userId,
            pathParameters: row.path(r),
            ...(row.body !== undefined ? { body: row.body } : {}),
            requestId: `m${(cells += 1)}`,
          });
          const text = JSON.stringify(res.body ?? '');
          const got: Outcome =
            res.status === 403 ? 'forbidden' : res.status === 404 && res.body?.error?.message === absent.body?.error?.message.replace(missing.submissionId, r.submissionId).replace(missing.resultNumber, r.resultNumber) ? 'hidden' : 'ok';
          const leaks = want === 'hidden' && text.includes('矩阵测试成果');
          if (got !== want || leaks || res.status === 401 || res.status >= 500) {
            mismatches.push(`${key(route)} as ${u.userId} (${relation(u)}, ${u.clearance}) on ${r.classification}: want ${want}, got ${res.status} ${text.slice(0, 120)}`);
          }
        }
      }
    }

    expect(mismatches).toEqual([]);
    expect(cells).toBe(rows.length * seedUsers.length * classifications.length);
  }, 120_000);

  it('GET /survey-tasks/{taskId} lists only the submissions within the reader’s clearance (the reported hole)', async () => {
    const w = await setup();
    const mismatches: string[] = [];
    for (const u of seedUsers) {
      for (const r of w.recs) {
        const res = await call(getSurveyTask.with(w.ports), 'GET', `/survey-tasks/${r.taskId}`, { user: u.userId, pathParameters: { taskId: r.taskId } });
        // R7.1: a technical unit reads the submission and its report, not the survey task.
        const want = relation(u) === 'other' || relation(u) === 'participant' ? 403 : 200;
        const listed = res.status === 200 && (res.body.submissions as Array<{ submissionId: string }>).some((s) => s.submissionId === r.submissionId);
        if (res.status !== want || (want === 200 && listed !== clearanceAllows(u.clearance, r.classification))) {
          mismatches.push(`${u.userId} on ${r.classification}: ${res.status} listed=${listed}`);
        }
      }
    }

    expect(mismatches).toEqual([]);
  });

  it('GET /orgs/{code}/users only for the organisation itself, its superiors and administrators', async () => {
    const w = await setup();
    const above: Record<string, string[]> = { '440000-IMP': ['440000-IMP', '440000-NR', '100000-NR'], '440117-NR': ['440117-NR', '440100-NR', '440000-NR', '100000-NR'], '100000-NR': ['100000-NR'] };
    const mismatches: string[] = [];
    for (const u of seedUsers) {
      for (const [org, allowed] of Object.entries(above)) {
        const res = await call(listUsers(w.deps), 'GET', `/orgs/${org}/users`, { user: u.userId, pathParameters: { code: org } });
        const want = allowed.includes(u.orgCode) || u.roles.includes('administrator') ? 200 : 403;
        if (res.status !== want) mismatches.push(`${u.userId} (${u.orgCode}) on ${org}: want ${want}, got ${res.status}`);
      }
    }

    expect(mismatches).toEqual([]);
    // luo.xin (公开, 广东省水利厅) no longer reads the staff of the implementer.
    expect((await call(listUsers(w.deps), 'GET', '/orgs/440000-IMP/users', { user: 'luo.xin', pathParameters: { code: '440000-IMP' } })).status).toBe(403);
  });
});

describe('R20.1 security records', () => {
  it('records a classified read, a refusal because of clearance and a 403, each under the caller’s and the record’s organisations', async () => {
    const w = await setup();
    const internal = w.recs.find((r) => r.classification === 'internal')!;
    const secret = w.recs.find((r) => r.classification === 'secret')!;
    const publicRec = w.recs.find((r) => r.classification === 'public')!;

    const read = await call(getSubmission.with(w.ports), 'GET', `/submissions/${internal.submissionId}`, { user: 'li.na', pathParameters: sub(internal), requestId: 'sr-read' });
    const hidden = await call(getSubmission.with(w.ports), 'GET', `/submissions/${secret.submissionId}`, { user: 'li.na', pathParameters: sub(secret), requestId: 'sr-hidden' });
    const outOfScope = await call(getSubmission.with(w.ports), 'GET', `/submissions/${internal.submissionId}`, { user: 'lin.feng', pathParameters: sub(internal), requestId: 'sr-403' });
    const publicRead = await call(getSubmission.with(w.ports), 'GET', `/submissions/${publicRec.submissionId}`, { user: 'li.na', pathParameters: sub(publicRec), requestId: 'sr-public' });
    const noToken = await call(getSubmission.with(w.ports), 'GET', `/submissions/${internal.submissionId}`, { pathParameters: sub(internal), requestId: 'sr-401' });

    expect([read.status, hidden.status, outOfScope.status, publicRead.status, noToken.status]).toEqual([200, 404, 403, 200, 401]);
    const mine = w.records.of('440000-IMP');
    expect(mine.find((r) => r.requestId === 'sr-read')).toMatchObject({ kind: 'read', actor: 'li.na', status: 200, records: [{ target: `SUB#${internal.submissionId}`, classification: 'internal', access: 'read' }] });
    expect(mine.find((r) => r.requestId === 'sr-hidden')).toMatchObject({ kind: 'refused', status: 404, code: 'NOT_FOUND', records: [{ target: `SUB#${secret.submissionId}`, classification: 'secret', access: 'hidden' }] });
    expect(mine.find((r) => r.requestId === 'sr-public')).toBeUndefined();
    // lin.feng's refusal is kept under 广东省林业局 and under the organisations of the record he tried to read.
    expect(w.records.of('440000-FG').map((r) => r.requestId)).toEqual(['sr-403']);
    expect(w.records.of('440000-NR').map((r) => r.requestId).sort()).toEqual(['sr-403', 'sr-hidden', 'sr-read']);
    expect(w.records.of('anonymous')).toMatchObject([{ requestId: 'sr-401', kind: 'refused', status: 401, actor: 'anonymous' }]);
  });

  it('GET /security-records: the supervisor reads their organisation and those below it, by key; others are refused', async () => {
    const w = await setup();
    const internal = w.recs.find((r) => r.classification === 'internal')!;
    await call(getSubmission.with(w.ports), 'GET', `/submissions/${internal.submissionId}`, { user: 'li.na', pathParameters: sub(internal), requestId: 'q-read' });
    const deps = { ...w.deps };

    const asSupervisor = await call(listSecurityRecords(deps), 'GET', '/security-records', { user: 'zhou.hong', query: { org: '440000-NR', from: '2000-01-01' } });
    const ofUnit = await call(listSecurityRecords(deps), 'GET', '/security-records', { user: 'zhou.hong', query: { org: '440000-IMP', from: '2000-01-01', subordinates: 'false' } });
    const ofSuperior = await call(listSecurityRecords(deps), 'GET', '/security-records', { user: 'zhou.hong', query: { org: '100000-NR' } });
    const asReviewer = await call(listSecurityRecords(deps), 'GET', '/security-records', { user: 'chen.jing', query: { org: '440000-NR' } });

    expect(asSupervisor.status).toBe(200);
    expect(asSupervisor.body.orgs).toEqual(expect.arrayContaining(['440000-NR', '440000-IMP', '440000-CUS', '440100-NR', '440117-NR']));
    expect(asSupervisor.body.items.filter((r: { requestId: string }) => r.requestId === 'q-read')).toHaveLength(1);
    expect(ofUnit.body.items.map((r: { requestId: string }) => r.requestId)).toContain('q-read');
    expect(ofSuperior.status).toBe(403);
    expect(asReviewer.status).toBe(403);
  });
});
