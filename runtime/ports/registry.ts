/**
 * Port recipes on the registry and logs tables (DynamoDB). Each calls the
 * adapter's factory unchanged, after `compose` validated its variables.
 */
import { auditChainStoreFromEnv } from '#adapters/dynamo-audit.ts';
import { identityRepositoryFromEnv } from '#adapters/dynamo-identity.ts';
import { securityRecordStoreFromEnv } from '#adapters/dynamo-security-records.ts';
import { auditTrail } from '#adapters/audited-write.ts';
import type { AuditTrail } from '#shared/ports/audit.ts';
import type { IdentityAdministration, IdentityRepository } from '#shared/ports/identity.ts';
import type { SecurityRecordStore } from '#shared/security/records.ts';
import { port } from '../port.ts';

/** Users and organisations (read). */
export const identityRepo = /* @__PURE__ */ port({ name: 'identity', env: ['registry'], build: (env): IdentityRepository => identityRepositoryFromEnv(env) });

/** Users' clearances (write, audited). */
export const identityAdmin = /* @__PURE__ */ port({ name: 'identityAdmin', env: ['registry', 'logs'], build: (env): IdentityAdministration => identityRepositoryFromEnv(env) });

/** The audit chain on the logs table, for records that change nothing else. */
export const auditTrailPort = /* @__PURE__ */ port({ name: 'trail', env: ['logs'], build: (env): AuditTrail => auditTrail(auditChainStoreFromEnv(env)) });

/** Where the security records (R20.1) of every HTTP request go. */
export const securityRecords = /* @__PURE__ */ port({ name: 'securityRecords', env: ['logs'], build: (env): SecurityRecordStore => securityRecordStoreFromEnv(env) });

// --- platform, catalogue-report ---
import { catalogueChangesOf } from '#adapters/dynamo-stream.ts';
import { envNames } from '#adapters/config.ts';
import { healthProbeFromEnv, pingStoreFromEnv, scheduleRunLogFromEnv } from '#adapters/dynamo-platform.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { catalogueStoreFromEnv } from '#adapters/dynamo-catalogue.ts';
import { catalogueReportStoreFromEnv } from '#adapters/dynamo-catalogue-report.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { DynamoItemReader } from '#adapters/dynamo-audit.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import type { ItemReader } from '#shared/audit/item-states.ts';
import type { AuditChainReader } from '#shared/ports/audit.ts';
import type { HolidayTableReader, HolidayTableStore } from '#shared/ports/calendar.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { PingStore } from '#shared/ports/ping.ts';
import type { HealthProbe, ScheduleRunLog } from '#shared/ports/platform.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { CatalogueReportReader, CatalogueReportStore } from '#shared/catalogue-report/report.ts';

/** Ping records (audited). */
export const pings = /* @__PURE__ */ port({ name: 'pings', env: ['registry', 'logs'], build: (env): PingStore => pingStoreFromEnv(env) });

/** One read of the registry table (liveness). */
export const healthProbe = /* @__PURE__ */ port({ name: 'health', env: ['registry'], build: (env): HealthProbe => healthProbeFromEnv(env) });

/** SCHEDULE#<name>/LAST_RUN records of scheduled jobs (audited). */
export const scheduleRuns = /* @__PURE__ */ port({ name: 'scheduleRuns', env: ['registry', 'logs'], build: (env): ScheduleRunLog => scheduleRunLogFromEnv(env) });

/** The State Council holiday tables (read; loading one is audited). */
export const holidays = /* @__PURE__ */ port({ name: 'holidays', env: ['registry', 'logs'], build: (env): HolidayTableStore => holidayTableStoreFromEnv(env) });

/** The same tables, read only (GetCalendar): no write, so no logs table; `put` does not compile. */
export const holidaysRead = /* @__PURE__ */ port({ name: 'holidays', env: ['registry'], build: (env): HolidayTableReader => holidayTableStoreFromEnv(env) });

/** Catalogue entries (成果目录). */
export const catalogue = /* @__PURE__ */ port({ name: 'catalogue', env: ['registry'], build: (env): CatalogueStore => catalogueStoreFromEnv(env) });

/** Catalogue reports (成果目录上报); sending and closing one are audited. */
export const reports = /* @__PURE__ */ port({ name: 'reports', env: ['registry', 'logs'], build: (env): CatalogueReportStore => catalogueReportStoreFromEnv(env) });

/** The same reports, read only (list, get, file): no write, so no logs table; `create`/`close` do not compile. */
export const reportsRead = /* @__PURE__ */ port({ name: 'reports', env: ['registry'], build: (env): CatalogueReportReader => catalogueReportStoreFromEnv(env) });

/** The audit chain, read (verification and anchoring). */
export const auditChain = /* @__PURE__ */ port({ name: 'auditChain', env: ['logs'], build: (env): AuditChainReader => auditChainStoreFromEnv(env) });

/** The audited items themselves, read by the keys their records name. */
export const auditedItems = /* @__PURE__ */ port({ name: 'auditedItems', env: ['registry'], build: (): ItemReader => new DynamoItemReader() });

/**
 * Public routes' security records: CDK binds the logs table only to functions
 * that verify a JWT (bindSecurityRecords), so a public route must not require
 * LOGS_TABLE_NAME at init (HealthCheck, OpenApi would fail their init phase).
 * Where the variable is set (the local cloud) records go to the logs table, as
 * before; where it is not, the HTTP stack keeps them in memory.
 */
export const publicSecurityRecords = /* @__PURE__ */ port({
  name: 'securityRecords',
  env: [],
  build: (env): SecurityRecordStore | undefined => (env[envNames.logsTable] ? securityRecordStoreFromEnv(env) : undefined),
});

// --- tasks, verification ---
import { humanTaskStoreFromEnv } from '#adapters/dynamo-tasks.ts';
import { verificationFailureLogFromEnv } from '#adapters/dynamo-verification.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import type { VerificationFailureLog } from '#shared/ports/verification.ts';

/** Human tasks (tasks context), audited writes. */
export const humanTasks = /* @__PURE__ */ port({ name: 'humanTasks', env: ['registry'], build: (env): HumanTaskStore => humanTaskStoreFromEnv(env) });

/** The working-day calendar: the registry's holiday table, read on each call. */
export const calendar = /* @__PURE__ */ port({
  name: 'calendar',
  env: ['registry'],
  build: (env): (() => Promise<WorkingDayCalendar>) => {
    const holidays = holidayTableStoreFromEnv(env);
    return () => calendarFromStore(holidays);
  },
});

/** Submissions, versions and their timelines. */
export const submissions = /* @__PURE__ */ port({ name: 'submissions', env: ['registry'], build: (env): SubmissionStore => submissionStoreFromEnv(env) });

/** Where a failed verification run is recorded (audited). */
export const verificationFailures = /* @__PURE__ */ port({
  name: 'verificationFailures',
  env: ['registry'],
  build: (env): VerificationFailureLog => verificationFailureLogFromEnv(env),
});

/** An organisation's name by code (the public catalogue's page and STAC providers); undefined = show the code. */
export const orgName = /* @__PURE__ */ port({
  name: 'orgName',
  env: ['registry'],
  build: (env): ((code: string) => Promise<string | undefined>) => {
    const orgs = identityRepositoryFromEnv(env);
    return async (code) => (await orgs.getOrganisation(code))?.name;
  },
});

/** Decodes a registry stream batch into catalogue-entry changes (the images the catalogue adapter reads). */
export const catalogueChanges = /* @__PURE__ */ port({ name: 'catalogueChanges', env: [], build: (): typeof catalogueChangesOf => catalogueChangesOf });

/** The same recipe under the name the catalogue handlers import. */
export { catalogue as catalogueStore };

// --- transfer, custody, destruction ---
import { destructionStoreFromEnv } from '#adapters/dynamo-destruction.ts';
import { custodyRecordsFromEnv } from '#adapters/dynamo-custody-records.ts';
import type { DestructionStore } from '#shared/destruction/destruction.ts';
import type { CustodyRecords } from '#shared/ports/custody.ts';

/** Destruction rounds of catalogue entries. */
export const destructions = /* @__PURE__ */ port({ name: 'destructions', env: ['registry'], build: (env): DestructionStore => destructionStoreFromEnv(env) });

/** The registry's custody records (the integrity audit's expected set and verified file lists). */
export const custodyRecords = /* @__PURE__ */ port({ name: 'records', env: ['registry'], build: (env): CustodyRecords => custodyRecordsFromEnv(env) });

// --- publication ---
import { authorityTableStoreFromEnv } from '#adapters/dynamo-authority.ts';
import type { AuthorityTableReader, AuthorityTableStore } from '#shared/publication/authority.ts';

/** The publication authority table (R12.1, R12.3): versions written with their audit record. */
export const authorities = /* @__PURE__ */ port({ name: 'authorities', env: ['registry', 'logs'], build: (env): AuthorityTableStore => authorityTableStoreFromEnv(env) });

/** The same table, read only (GET, resolution): `put` does not compile. */
export const authoritiesRead = /* @__PURE__ */ port({ name: 'authorities', env: ['registry'], build: (env): AuthorityTableReader => authorityTableStoreFromEnv(env) });

import { releaseStoreFromEnv } from '#adapters/dynamo-release.ts';
import type { ReleaseStore } from '#shared/publication/release.ts';

/** Release versions of results (R11.1), written with their catalogue entry and audit record. */
export const releases = /* @__PURE__ */ port({ name: 'releases', env: ['registry', 'logs'], build: (env): ReleaseStore => releaseStoreFromEnv(env) });

/** The same, read only. */
export const releasesRead = /* @__PURE__ */ port({ name: 'releases', env: ['registry'], build: (env): Pick<ReleaseStore, 'listForSource'> => releaseStoreFromEnv(env) });

import { programmeTaskReaderFromEnv, publicationRequestStoreFromEnv, type DynamoProgrammeTaskReader } from '#adapters/dynamo-publication.ts';
import type { PublicationRequestStore } from '#shared/publication/request-store.ts';

/** Publication requests (R11.1, R12.1–R12.3): every change conditional on the revision, with its audit record. */
export const publications = /* @__PURE__ */ port({ name: 'publications', env: ['registry', 'logs'], build: (env): PublicationRequestStore => publicationRequestStoreFromEnv(env) });

/** A survey task's parent and programme (R11.1 level by level), without the submission adapter. */
export const programmeTasks = /* @__PURE__ */ port({ name: 'submissions', env: ['registry'], build: (env): DynamoProgrammeTaskReader => programmeTaskReaderFromEnv(env) });

/** The same, read only. */
export const publicationsRead = /* @__PURE__ */ port({ name: 'publications', env: ['registry'], build: (env): Pick<PublicationRequestStore, 'get'> => publicationRequestStoreFromEnv(env) });

/** The console's request lists (issue 13): read only, the index key query and the requests. */
export const publicationLists = /* @__PURE__ */ port({ name: 'publications', env: ['registry'], build: (env): Pick<PublicationRequestStore, 'get' | 'listFor'> => publicationRequestStoreFromEnv(env) });

import { downloadLogFromEnv } from '#adapters/dynamo-downloads.ts';
import type { DownloadLog } from '#shared/publication/publish.ts';

/** The public download log and its counters (R17.2); not audited (a download changes no state). */
export const downloadLog = /* @__PURE__ */ port({ name: 'downloads', env: ['registry'], build: (env): DownloadLog => downloadLogFromEnv(env) });
