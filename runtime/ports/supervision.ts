/** Port recipes of the supervision context (issue 14): clocks and bulletin counters on the registry table. */
import { envNames, requireEnv } from '#adapters/config.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { DynamoSupervisionStore } from '#adapters/dynamo-supervision.ts';
import type { ClockStore, CounterStore } from '#shared/ports/supervision.ts';
import { defaultReminderDays } from '#shared/supervision/watch.ts';
import { port } from '../port.ts';

/** Clocks (read; the watch's notices are audited writes). */
export const clockStore = port({
  name: 'clocks',
  env: ['registry', 'logs'],
  build: (env): ClockStore => new DynamoSupervisionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Clocks, read only (lists). */
export const clockReader = port({
  name: 'clocks',
  env: ['registry'],
  build: (env): Pick<ClockStore, 'ownedBy' | 'dueBy'> => new DynamoSupervisionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** The bulletin's counters (read), a fresh store per call so that items read are counted per bulletin. */
export const counterStore = port({
  name: 'counters',
  env: ['registry'],
  build: (env): (() => CounterStore) => () => new DynamoSupervisionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** SUPERVISION_REMINDER_DAYS: working days before the due date the owner is reminded, e.g. "5,1" (the default). */
export const reminderDays = port({
  name: 'reminderDays',
  env: [],
  build: (env): readonly number[] => {
    const raw = env['SUPERVISION_REMINDER_DAYS'];
    if (!raw) return defaultReminderDays;
    const days = raw.split(',').map((d) => Number(d.trim()));
    if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 60)) throw new Error(`SUPERVISION_REMINDER_DAYS: whole working days 1–60, comma-separated; got "${raw}"`);
    return days;
  },
});

// --- bulletins (R21.1) ---
import { bulletinFilesFromEnv } from '#adapters/s3-bulletins.ts';
import type { BulletinFiles, BulletinIndex } from '#shared/ports/supervision.ts';

/** Bulletin files in the documents bucket, write-once. */
export const bulletinFiles = port({ name: 'files', env: ['documents'], build: (env): BulletinFiles => bulletinFilesFromEnv(env) });

/** The bulletins' index (write-once, audited). */
export const bulletinIndex = port({
  name: 'bulletins',
  env: ['registry', 'logs'],
  build: (env): BulletinIndex => new DynamoSupervisionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** The bulletins' index, read only. */
export const bulletinReader = port({
  name: 'bulletins',
  env: ['registry'],
  build: (env): Pick<BulletinIndex, 'get' | 'list'> => new DynamoSupervisionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

// --- security incidents (R20.1) ---
import { DynamoIncidentResults, DynamoIncidentStore } from '#adapters/dynamo-incidents.ts';
import type { IncidentResultLookup, IncidentStore } from '#shared/supervision/incidents.ts';

/** Incidents: reported and moved along their timeline (audited, the report counted in the same transaction). */
export const incidentStore = port({
  name: 'incidents',
  env: ['registry', 'logs'],
  build: (env): IncidentStore => new DynamoIncidentStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Incidents, read only (lists, one incident). */
export const incidentReader = port({
  name: 'incidents',
  env: ['registry'],
  build: (env): Pick<IncidentStore, 'get' | 'listOf'> => new DynamoIncidentStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** The catalogue entries an incident names (name, classification, organiser): one key read each. */
export const incidentResults = port({
  name: 'catalogue',
  env: ['registry'],
  build: (env): IncidentResultLookup => new DynamoIncidentResults(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

// --- self-inspections (R20.1) ---
import { DynamoSelfInspectionStore } from '#adapters/dynamo-self-inspections.ts';
import type { Cadence, SelfInspectionStore } from '#shared/supervision/self-inspections.ts';

/** Self-inspections: filed write-once with their rectification clocks and counters, rectifications closed (audited). */
export const selfInspectionStore = port({
  name: 'inspections',
  env: ['registry', 'logs'],
  build: (env): SelfInspectionStore => new DynamoSelfInspectionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Self-inspections, read only (the supervisors' list). */
export const selfInspectionReader = port({
  name: 'inspections',
  env: ['registry'],
  build: (env): Pick<SelfInspectionStore, 'get' | 'listOwn'> => new DynamoSelfInspectionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** SELF_INSPECTION_CADENCE: how often custodians and requesting departments file a self-inspection, quarterly (the default) or monthly. */
export const selfInspectionCadence = port({
  name: 'cadence',
  env: [],
  build: (env): Cadence => {
    const raw = env['SELF_INSPECTION_CADENCE'] ?? 'quarterly';
    if (raw !== 'quarterly' && raw !== 'monthly') throw new Error(`SELF_INSPECTION_CADENCE: quarterly or monthly; got "${raw}"`);
    return raw;
  },
});

// --- confidentiality reviews (保密审查, R20.1) ---
import { DynamoConfidentialityReviewStore, DynamoReviewedEntries } from '#adapters/dynamo-confidentiality-reviews.ts';
import type { ConfidentialityReviewStore, ReviewedEntry } from '#shared/supervision/confidentiality-reviews.ts';

/** Confidentiality reviews: recorded write-once (audited, counted). */
export const confidentialityReviewStore = port({
  name: 'reviews',
  env: ['registry', 'logs'],
  build: (env): ConfidentialityReviewStore => new DynamoConfidentialityReviewStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Confidentiality reviews, read only (the supervisors' list; the catalogue edit that applies one). */
export const confidentialityReviewReader = port({
  name: 'reviews',
  env: ['registry'],
  build: (env): Pick<ConfidentialityReviewStore, 'get' | 'listOf'> => new DynamoConfidentialityReviewStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** The catalogue entry a review is about (one key read). */
export const reviewedEntries = port({
  name: 'entries',
  env: ['registry'],
  build: (env): { getEntry(resultNumber: string): Promise<ReviewedEntry | undefined> } => new DynamoReviewedEntries(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

// --- quarterly use-and-quality evaluations (R19.2) ---
import { DynamoEvaluationReader, DynamoEvaluationStore } from '#adapters/dynamo-evaluations.ts';
import type { EvaluationStore } from '#shared/supervision/evaluation.ts';

/** Evaluation records: written with the document, the acknowledgement started and decided once (each audited). */
export const evaluationStore = port({
  name: 'evaluations',
  env: ['registry', 'logs'],
  build: (env): EvaluationStore => new DynamoEvaluationStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Evaluation records, read only (the document link). */
export const evaluationReader = port({
  name: 'evaluations',
  env: ['registry'],
  build: (env): Pick<EvaluationStore, 'get'> => new DynamoEvaluationReader(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});
