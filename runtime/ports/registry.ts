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
export const identityRepo = port({ name: 'identity', env: ['registry'], build: (env): IdentityRepository => identityRepositoryFromEnv(env) });

/** Users' clearances (write, audited). */
export const identityAdmin = port({ name: 'identityAdmin', env: ['registry', 'logs'], build: (env): IdentityAdministration => identityRepositoryFromEnv(env) });

/** The audit chain on the logs table, for records that change nothing else. */
export const auditTrailPort = port({ name: 'trail', env: ['logs'], build: (env): AuditTrail => auditTrail(auditChainStoreFromEnv(env)) });

/** Where the security records (R20.1) of every HTTP request go. */
export const securityRecords = port({ name: 'securityRecords', env: ['logs'], build: (env): SecurityRecordStore => securityRecordStoreFromEnv(env) });

// --- transfer, custody, destruction ---
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { catalogueStoreFromEnv } from '#adapters/dynamo-catalogue.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { humanTaskStoreFromEnv } from '#adapters/dynamo-tasks.ts';
import { destructionStoreFromEnv } from '#adapters/dynamo-destruction.ts';
import { custodyRecordsFromEnv } from '#adapters/dynamo-custody-records.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import type { DestructionStore } from '#shared/destruction/destruction.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { CustodyRecords } from '#shared/ports/custody.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';

/** Submissions, their versions, files and timeline (audited writes). */
export const submissions = port({ name: 'submissions', env: ['registry', 'logs'], build: (env): SubmissionStore => submissionStoreFromEnv(env) });

/** The catalogue (read; writes are audited where the function holds the logs table). */
export const catalogue = port({ name: 'catalogue', env: ['registry'], build: (env): CatalogueStore => catalogueStoreFromEnv(env) });

/** The working-day calendar, loaded from the registry's holiday tables at each call. */
export const calendar = port({
  name: 'calendar',
  env: ['registry'],
  build: (env): (() => Promise<WorkingDayCalendar>) => {
    const store = holidayTableStoreFromEnv(env);
    return () => calendarFromStore(store);
  },
});

/** Human tasks (a failed transfer closes its execution's open tasks). */
export const humanTasks = port({ name: 'humanTasks', env: ['registry', 'logs'], build: (env): HumanTaskStore => humanTaskStoreFromEnv(env) });

/** Destruction rounds of catalogue entries. */
export const destructions = port({ name: 'destructions', env: ['registry'], build: (env): DestructionStore => destructionStoreFromEnv(env) });

/** The registry's custody records (the integrity audit's expected set and verified file lists). */
export const custodyRecords = port({ name: 'records', env: ['registry'], build: (env): CustodyRecords => custodyRecordsFromEnv(env) });
