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

// --- tasks, verification ---
import { humanTaskStoreFromEnv } from '#adapters/dynamo-tasks.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { verificationFailureLogFromEnv } from '#adapters/dynamo-verification.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import type { VerificationFailureLog } from '#shared/ports/verification.ts';

/** Human tasks (tasks context), audited writes. */
export const humanTasks = port({ name: 'humanTasks', env: ['registry'], build: (env): HumanTaskStore => humanTaskStoreFromEnv(env) });

/** The working-day calendar: the registry's holiday table, read on each call. */
export const calendar = port({
  name: 'calendar',
  env: ['registry'],
  build: (env): (() => Promise<WorkingDayCalendar>) => {
    const holidays = holidayTableStoreFromEnv(env);
    return () => calendarFromStore(holidays);
  },
});

/** Submissions, versions and their timelines. */
export const submissions = port({ name: 'submissions', env: ['registry'], build: (env): SubmissionStore => submissionStoreFromEnv(env) });

/** Where a failed verification run is recorded (audited). */
export const verificationFailures = port({
  name: 'verificationFailures',
  env: ['registry'],
  build: (env): VerificationFailureLog => verificationFailureLogFromEnv(env),
});
