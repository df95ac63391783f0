/** Port recipes of the sharing context (issue 16): the sharing store (registry + its log on the logs table) and the custody download links. */
import { sharingReaderFromEnv } from '#adapters/dynamo-sharing-read.ts';
import { sharingStoreFromEnv } from '#adapters/dynamo-sharing.ts';
import { sharingLinksFromEnv } from '#adapters/s3-sharing-links.ts';
import type { DownloadLinks, SharingStore } from '#shared/sharing/model.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { DynamoOwnedClocks } from '#adapters/dynamo-sharing-read.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import { port } from '../port.ts';

/** Applications, grants, the sharing log and usage counters (audited writes). */
export const sharing = /* @__PURE__ */ port({ name: 'sharing', env: ['registry', 'logs'], build: (env): SharingStore => sharingStoreFromEnv(env) });

/** The same store, read only (lists, views, the agreement, the manifest, usage): no write, so no logs table. */
export const sharingRead = /* @__PURE__ */ port({ name: 'sharing', env: ['registry'], build: (env): Pick<SharingStore, 'getApplication' | 'getGrant' | 'listApplications' | 'usage'> => sharingReaderFromEnv(env) });

/** Presigned GETs of minutes on the custody copy (the custody bucket, read) and on the grants' 用途声明 (the documents bucket, read). */
export const downloadLinks = /* @__PURE__ */ port({ name: 'links', env: ['custody', 'documents'], build: (env): DownloadLinks => sharingLinksFromEnv(env) });

/** R19.1: an organisation's running clocks (read; the overdue use reports shown on its next application). */
export const sharingClocks = /* @__PURE__ */ port({
  name: 'clocks',
  env: ['registry'],
  build: (env): Pick<ClockStore, 'ownedBy'> => new DynamoOwnedClocks(requireEnv(envNames.registryTable, env)),
});


import { sharingDocumentsFromEnv } from '#adapters/s3-sharing-documents.ts';
import type { SharingDocuments } from '#shared/sharing/model.ts';

/** The offline chain's write-once documents and the confidentiality agreement's scans (the documents bucket). */
export const sharingDocuments = /* @__PURE__ */ port({ name: 'documents', env: ['documents'], build: (env): SharingDocuments => sharingDocumentsFromEnv(env) });
// --- public applications (R14.2, R16.3) ---
import { publicApplicationStoreFromEnv } from '#adapters/dynamo-public-applications.ts';
import type { PublicApplicationStore } from '#shared/sharing/public-model.ts';
import { randomInt } from 'node:crypto';

/** Public applications (audited writes: registry + the audit chain on the logs table). */
export const publicApplications = /* @__PURE__ */ port({ name: 'publicApplications', env: ['registry', 'logs'], build: (env): PublicApplicationStore => publicApplicationStoreFromEnv(env) });

/** The same store, read only (the answering organisation's list and view). */
export const publicApplicationsRead = /* @__PURE__ */ port({ name: 'publicApplications', env: ['registry'], build: (env): Pick<PublicApplicationStore, 'get' | 'listAddressed'> => publicApplicationStoreFromEnv(env) });

/** A one-time email code: 6 random digits (crypto). */
export const oneTimeCode = /* @__PURE__ */ port({ name: 'newCode', env: [], build: (): (() => string) => () => String(randomInt(0, 1_000_000)).padStart(6, '0') });

// --- active push (主动推送) ---
import { subscriptionStoreFromEnv } from '#adapters/dynamo-sharing-push.ts';
import type { SubscriptionStore } from '#shared/sharing/push.ts';

/** Grant subscriptions to new versions and the pushes made (audited writes). */
export const subscriptions = /* @__PURE__ */ port({ name: 'subscriptions', env: ['registry', 'logs'], build: (env): SubscriptionStore => subscriptionStoreFromEnv(env) });

// --- the sharing log of the other calls on a grant (R16.1) ---
import { sharingLogFromEnv } from '#adapters/dynamo-sharing-log.ts';
import type { SharingLog } from '#shared/sharing/grant-log.ts';

/** One line per view, manifest or signature of a grant (logs table, append-only; downloads log themselves). */
export const sharingLog = /* @__PURE__ */ port({ name: 'log', env: ['logs'], build: (env): SharingLog => sharingLogFromEnv(env) });
