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

// --- submission, catalogue ---
import { calendarFromStore } from '#shared/calendar/load.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { holidayTableStoreFromEnv } from '#adapters/dynamo-calendar.ts';
import { catalogueStoreFromEnv } from '#adapters/dynamo-catalogue.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';

/** Survey tasks, submissions and their versions (registry; writes audited). */
export const submissions = port({ name: 'submissions', env: ['registry'], build: (env): SubmissionStore => submissionStoreFromEnv(env) });

/** The results catalogue (registry; writes audited). */
export const catalogueStore = port({ name: 'catalogue', env: ['registry'], build: (env): CatalogueStore => catalogueStoreFromEnv(env) });

/** The working-day calendar, loaded per request: a holiday notice loaded a minute ago counts at once (one small Query). */
export const calendar = port({
  name: 'calendar',
  env: ['registry'],
  build: (env): (() => Promise<WorkingDayCalendar>) => {
    const holidays = holidayTableStoreFromEnv(env);
    return () => calendarFromStore(holidays);
  },
});

/** An organisation's name by code (the public catalogue's page and STAC providers); undefined = show the code. */
export const orgName = port({
  name: 'orgName',
  env: ['registry'],
  build: (env): ((code: string) => Promise<string | undefined>) => {
    const orgs = identityRepositoryFromEnv(env);
    return async (code) => (await orgs.getOrganisation(code))?.name;
  },
});

/** Decodes a registry stream batch into catalogue-entry changes (the images the catalogue adapter reads). */
import { catalogueChangesOf } from '#adapters/dynamo-stream.ts';
export const catalogueChanges = port({ name: 'catalogueChanges', env: [], build: (): typeof catalogueChangesOf => catalogueChangesOf });
