import * as z from 'zod/mini';
import { createHash } from 'node:crypto';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { CatalogueEntry, ReleasedFile, ReleaseInfo } from '#shared/schemas/catalogue.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';

/**
 * Release, downloads and withdrawal of release versions (issue 15 steps 6–8; R11.1, R12.1, R17.2).
 *
 *   pending ──approveRelease──► approved ──publishRelease──► released ──(withdrawal request, 同意撤回)──► withdrawn
 *
 * approveRelease is the one audited way into 'approved': the approval workflow calls it once every
 * approver resolved from the authority table agreed (issue 15 steps 3–5; helper F's state machine).
 * publishRelease (the PublishRelease Lambda, the machine's last step) copies the release package's files
 * server-side from the uploads bucket to the published bucket under `releases/<n>/` (S3 CopyObject /
 * UploadPartCopy: no byte passes through the function; each copy is confirmed against the verified SHA-256),
 * then makes the catalogue item public and released in one audited, conditional write — the public
 * catalogue follows through the registry's change stream. requestDownload answers a public download with a
 * short-lived presigned GET (302) and logs and counts every request. A withdrawal (shared/publication/withdrawal.ts,
 * requested and decided by the approving authority) stops the serving; the record and the files' list stay, and
 * the public page says 已撤回 with the date.
 */

import { downloadHref, releaseFileKey, releasesPrefix } from './keys.ts';
export { downloadHref, releaseFileKey, releasesPrefix };

/** A presigned download URL lives this long. */
export const downloadUrlSeconds = 300;
/** The file list rides on the catalogue entry (an item holds at most 400 KB). */
export const maxReleasedFiles = 1000;
/** System actor of the publication workflow's steps. */
export const publicationSystem = 'system:publication';

/** The published bucket as releases use it. Adapter: adapters/s3-release-files.ts. */
export interface ReleaseFileStore {
  /**
   * Server-side copy of a verified package object from the uploads bucket to `key` (write-once): 'present'
   * when the key already holds it. Confirmed against `sha256` and `size` (else CustodyContentConflictError).
   */
  copyFromUploads(sourceKey: string, key: string, sha256: string, size: number): Promise<'copied' | 'present'>;
  /** A presigned GET of a published object, valid `expiresInSeconds`; the browser saves it under `filename`. */
  presignGet(key: string, opts: { expiresInSeconds: number; filename: string; contentType: string }): Promise<string>;
}

const types: Record<string, string> = {
  zip: 'application/zip',
  json: 'application/json',
  geojson: 'application/geo+json',
  tif: 'image/tiff; application=geotiff',
  tiff: 'image/tiff; application=geotiff',
  gpkg: 'application/geopackage+sqlite3',
  pdf: 'application/pdf',
  csv: 'text/csv',
  xml: 'application/xml',
  txt: 'text/plain',
  shp: 'application/vnd.shp',
  dbf: 'application/vnd.dbf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '7z': 'application/x-7z-compressed',
};
/** A released file's media type, from its extension (STAC asset `type`); unknown → application/octet-stream. */
export function mediaTypeOf(path: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return (ext && types[ext]) || 'application/octet-stream';
}

export class ReleaseNotFoundError extends NotFoundError {
  constructor(n: string) {
    super(`发布版本 ${n} 不存在`);
  }
}
const notARelease = (n: string) => new ConflictError('NOT_A_RELEASE', `${n} 不是发布版本（只有脱密脱敏后的发布版本可以发布，R11.1）`);

async function releaseEntry(catalogue: Pick<CatalogueStore, 'getEntry'>, n: string): Promise<CatalogueEntry & { release: ReleaseInfo }> {
  const entry = await catalogue.getEntry(n);
  if (!entry) throw new ReleaseNotFoundError(n);
  if (!entry.release) throw notARelease(n);
  return entry as CatalogueEntry & { release: ReleaseInfo };
}

const stateLabels: Record<ReleaseInfo['state'], string> = { pending: '待审批', approved: '已批准待发布', released: '已发布', withdrawn: '已撤回' };

// ---- approval ----------------------------------------------------------------------------------------------

export const approveReleaseInputSchema = z.object({
  releaseNumber: z.string().check(z.minLength(1)),
  /** Who approved, one per department (two for a joint approval, R12.2). */
  approvers: z.array(z.object({ userId: z.string().check(z.minLength(1)), orgCode: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
  tableVersion: z.optional(z.number().check(z.int())),
  ruleId: z.optional(z.string()),
  /** Not released before this China date (R11.1). */
  embargoUntil: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
});
export type ApproveReleaseInput = z.infer<typeof approveReleaseInputSchema>;

export interface ApprovePorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry' | 'indexEntry'>;
  readonly now: () => Date;
}

/**
 * pending → approved, audited (`publication.release.approve`) and counted (R12.approvals of the organiser).
 * Called by the approval workflow once every approver agreed; it does not check the approvers itself (the
 * workflow resolved them from the authority table and holds each approver's decision). Idempotent: an entry
 * already approved, released or withdrawn is returned as it is (a retried step changes nothing).
 */
export async function approveRelease(ports: ApprovePorts, cmd: ApproveReleaseInput & { requestId: string; actor?: string }): Promise<{ entry: CatalogueEntry; changed: boolean }> {
  const entry = await releaseEntry(ports.catalogue, cmd.releaseNumber);
  if (entry.release.state !== 'pending') return { entry, changed: false };
  const at = ports.now().toISOString();
  const actor = cmd.actor ?? publicationSystem;
  const next: CatalogueEntry = {
    ...entry,
    release: {
      ...entry.release,
      state: 'approved',
      approval: { at, approvers: cmd.approvers, ...(cmd.tableVersion !== undefined ? { tableVersion: cmd.tableVersion } : {}), ...(cmd.ruleId ? { ruleId: cmd.ruleId } : {}) },
      ...(cmd.embargoUntil ? { embargoUntil: cmd.embargoUntil } : {}),
    },
    version: entry.version + 1,
    updatedAt: at,
    updatedBy: actor,
  };
  const audit: AuditEntry = {
    actor,
    orgCode: entry.organiserOrg,
    action: 'publication.release.approve',
    target: `CAT#${entry.resultNumber}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { releaseNumber: entry.resultNumber, approvers: cmd.approvers, tableVersion: cmd.tableVersion ?? null, ruleId: cmd.ruleId ?? null, embargoUntil: cmd.embargoUntil ?? null },
  };
  await ports.catalogue.updateEntry(next, entry, withSupervision(audit, { count: [{ org: entry.organiserOrg, metric: 'R12.approvals' }] }, at));
  await ports.catalogue.indexEntry(next, entry);
  return { entry: next, changed: true };
}

// ---- release ----------------------------------------------------------------------------------------------

export interface PublishReleasePorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry' | 'indexEntry'>;
  readonly submissions: Pick<SubmissionStore, 'getSubmission' | 'getVersion' | 'listFiles'>;
  readonly releaseFiles: ReleaseFileStore;
  readonly now: () => Date;
}

export interface PublishReleaseResult {
  readonly releaseNumber: string;
  readonly state: 'released';
  readonly releasedAt: string;
  readonly files: number;
  readonly bytes: number;
  /** Objects this call copied (0 on a repeated call). */
  readonly copied: number;
  /** False when the release was already released (a retry): nothing changed. */
  readonly changed: boolean;
}

/** Files copied at once (each big one copies its parts in parallel too). */
const copyWidth = 4;

async function packageFiles(ports: Pick<PublishReleasePorts, 'submissions'>, submissionId: string) {
  const submission = await ports.submissions.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`发布版本成果包（汇交 ${submissionId}）不存在`);
  const n = submission.currentVersion;
  const version = await ports.submissions.getVersion(submissionId, n);
  if (!version || version.status !== 'verified') throw new ConflictError('PACKAGE_NOT_VERIFIED', `发布版本成果包（汇交 ${submissionId}）第 ${n} 版未通过核验，不能发布`);
  const files: Array<{ path: string; size: number; sha256: string }> = [];
  let after: string | undefined;
  for (;;) {
    const page = await ports.submissions.listFiles(submissionId, n, version.manifestId, { ...(after ? { after } : {}), limit: 500 });
    files.push(...page.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })));
    if (files.length > maxReleasedFiles) throw new ConflictError('RELEASE_TOO_MANY_FILES', `发布版本成果包超过 ${maxReleasedFiles} 个文件，请按图幅打包归档后重新制作发布版本`);
    if (page.length < 500) break;
    after = page[page.length - 1]?.path;
  }
  return { n, files };
}

/**
 * PublishRelease (the approval machine's last step, `{ releaseNumber }`):
 *  1. the release entry: released already → nothing to do (idempotent); not approved → 409 RELEASE_NOT_APPROVED;
 *     an embargo date not reached → 409 RELEASE_EMBARGOED;
 *  2. the package's verified files, each copied server-side into the published bucket (releases/<n>/<path>),
 *     confirmed against its SHA-256 (a repeated copy finds it present);
 *  3. one conditional, audited write: classification 公开, `release.state` released, the files (path, size,
 *     SHA-256, type) on the entry, counted R11.published; the search index follows, the public catalogue
 *     through the change stream.
 */
export async function publishRelease(ports: PublishReleasePorts, cmd: { releaseNumber: string; requestId: string }): Promise<PublishReleaseResult> {
  const entry = await releaseEntry(ports.catalogue, cmd.releaseNumber);
  const done = (e: CatalogueEntry & { release: ReleaseInfo }, copied: number, changed: boolean): PublishReleaseResult => ({
    releaseNumber: e.resultNumber,
    state: 'released',
    releasedAt: e.release.releasedAt ?? e.updatedAt,
    files: e.release.files?.length ?? 0,
    bytes: (e.release.files ?? []).reduce((s, f) => s + f.size, 0),
    copied,
    changed,
  });
  if (entry.release.state === 'released') return done(entry, 0, false);
  if (entry.release.state !== 'approved') {
    throw new ConflictError('RELEASE_NOT_APPROVED', `发布版本 ${entry.resultNumber} ${stateLabels[entry.release.state]}，未经审批同意不能发布（R12.1）`);
  }
  if (entry.status !== 'active') throw new ConflictError('ENTRY_DESTROYED', `成果 ${entry.resultNumber} 已销毁`);
  const now = ports.now();
  const today = chinaDate(now);
  if (entry.release.embargoUntil && today < entry.release.embargoUntil) {
    throw new ConflictError('RELEASE_EMBARGOED', `发布版本 ${entry.resultNumber} 的解禁日期为 ${entry.release.embargoUntil}，此前不能发布（今天 ${today}）`);
  }
  const { n, files } = await packageFiles(ports, entry.submissionId);
  let copied = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const way = await ports.releaseFiles.copyFromUploads(`submissions/${entry.submissionId}/v${n}/${f.path}`, releaseFileKey(entry.resultNumber, f.path), f.sha256, f.size);
      if (way === 'copied') copied++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(copyWidth, files.length) }, worker));
  const released: ReleasedFile[] = files.map((f) => ({ ...f, type: mediaTypeOf(f.path) }));
  const at = now.toISOString();
  const nextEntry: CatalogueEntry & { release: ReleaseInfo } = {
    ...entry,
    classification: 'public',
    release: { ...entry.release, state: 'released', releasedAt: at, files: released },
    version: entry.version + 1,
    updatedAt: at,
    updatedBy: publicationSystem,
  };
  const audit: AuditEntry = {
    actor: publicationSystem,
    orgCode: entry.organiserOrg,
    action: 'publication.release.publish',
    target: `CAT#${entry.resultNumber}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: {
      releaseNumber: entry.resultNumber,
      previousClassification: entry.classification,
      submissionId: entry.submissionId,
      version: n,
      files: released.length,
      bytes: released.reduce((s, f) => s + f.size, 0),
      prefix: `${releasesPrefix}${entry.resultNumber}/`,
    },
  };
  try {
    await ports.catalogue.updateEntry(nextEntry, entry, withSupervision(audit, { count: [{ org: entry.organiserOrg, metric: 'R11.published' }] }, at));
  } catch (error) {
    // A concurrent run released it first: the same outcome, nothing more to do.
    const now2 = await ports.catalogue.getEntry(entry.resultNumber);
    if (now2?.release?.state === 'released') return done(now2 as CatalogueEntry & { release: ReleaseInfo }, copied, false);
    throw error;
  }
  await ports.catalogue.indexEntry(nextEntry, entry);
  return done(nextEntry, copied, true);
}

// ---- withdrawal: a request decided by the approving authority (shared/publication/withdrawal.ts) ----------------

// ---- downloads (R17.2) -------------------------------------------------------------------------------------

export const downloadResults = ['redirected', 'withdrawn', 'notReleased', 'unknownFile', 'unknownRelease', 'forSale'] as const;
export type DownloadResult = (typeof downloadResults)[number];

export interface DownloadLogEntry {
  readonly releaseNumber: string;
  readonly path: string;
  readonly result: DownloadResult;
  readonly at: string;
  /** China date of the request: the counters' day. */
  readonly day: string;
  /** The anonymised client (anonymiseClient): no address is stored. */
  readonly client: string;
  readonly userAgent: string;
  readonly requestId: string;
  /** The organisation whose counters count it (the release's organiser); undefined for an unknown release. */
  readonly org?: string;
}

/** Every download request, logged and counted per result × day (adapters/dynamo-downloads.ts). */
export interface DownloadLog {
  record(entry: DownloadLogEntry): Promise<void>;
}

/**
 * The anonymised client of a download log: the address truncated (IPv4 /24, IPv6 /48), hashed with the day,
 * the first 16 hex digits kept — requests of one network on one day can be told apart from others, the
 * address cannot be recovered, and two days do not link.
 */
export function anonymiseClient(ip: string | undefined, day: string): string {
  const addr = (ip ?? '').trim();
  let network = 'unknown';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) network = `${addr.split('.').slice(0, 3).join('.')}.0/24`;
  else if (addr.includes(':')) network = `${addr.toLowerCase().split(':').slice(0, 3).join(':')}::/48`;
  return createHash('sha256').update(`${day}\u0000${network}`).digest('hex').slice(0, 16);
}

export interface DownloadPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly releaseFiles: Pick<ReleaseFileStore, 'presignGet'>;
  readonly downloads: DownloadLog;
  readonly now: () => Date;
}

export class ForSaleError extends ConflictError {
  constructor(n: string, sale: NonNullable<ReleaseInfo['forSale']>) {
    super('PUBLICATION_FOR_SALE', `${n} 为公开出版物，不提供下载，请向出版单位订购：${sale.publisher}，${sale.ordering}`);
  }
}

/**
 * GET /public/downloads/{releaseNumber}/{path+} (anyone): a released file → 302 to a presigned GET valid
 * `downloadUrlSeconds` (the bytes go from S3 to the client; Range requests go to S3 with the URL). A withdrawn
 * or not yet released version, an unknown release or file → 404; a publication for sale → 409 with its ordering
 * information. Every request — served or refused — is logged and counted before the answer.
 */
export async function requestDownload(ports: DownloadPorts, cmd: { releaseNumber: string; path: string; ip?: string; userAgent?: string; requestId: string }): Promise<{ location: string; file: ReleasedFile }> {
  const now = ports.now();
  const day = chinaDate(now);
  const base = { releaseNumber: cmd.releaseNumber, path: cmd.path, at: now.toISOString(), day, client: anonymiseClient(cmd.ip, day), userAgent: (cmd.userAgent ?? '').slice(0, 300), requestId: cmd.requestId };
  const entry = await ports.catalogue.getEntry(cmd.releaseNumber);
  const log = (result: DownloadResult) => ports.downloads.record({ ...base, result, ...(entry ? { org: entry.organiserOrg } : {}) });
  const missing = `公开下载中没有 ${cmd.releaseNumber}/${cmd.path}`;
  if (!entry?.release) {
    await log('unknownRelease');
    throw new NotFoundError(missing);
  }
  if (entry.release.state === 'withdrawn') {
    await log('withdrawn');
    throw new NotFoundError(`${cmd.releaseNumber} 已于 ${chinaDateTime(entry.release.withdrawal?.at ?? entry.updatedAt)} 撤回，不再提供下载`);
  }
  if (entry.release.state !== 'released' || entry.classification !== 'public' || entry.status !== 'active') {
    await log('notReleased');
    throw new NotFoundError(missing);
  }
  if (entry.release.forSale) {
    await log('forSale');
    throw new ForSaleError(entry.resultNumber, entry.release.forSale);
  }
  const file = entry.release.files?.find((f) => f.path === cmd.path);
  if (!file) {
    await log('unknownFile');
    throw new NotFoundError(missing);
  }
  const location = await ports.releaseFiles.presignGet(releaseFileKey(entry.resultNumber, file.path), {
    expiresInSeconds: downloadUrlSeconds,
    filename: file.path.split('/').pop() ?? file.path,
    contentType: file.type,
  });
  await log('redirected');
  return { location, file };
}
