import * as z from 'zod/mini';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import type { DocumentStore, PackageReader } from '#shared/ports/verification.ts';
import { fileRoleSchema, themeIdSchema, type ThemeId } from '#shared/reference/themes.ts';
import type { Submission, Version } from '#shared/schemas/submission.ts';
import { versionPrefix } from '#shared/submission/manifest.ts';
import type { PackageFile } from './byte-source.ts';
import { renderReportHtml } from './report-html.ts';
import { assembleReport, planUnits, verifyUnit, type ManifestEntry, type UnitResult, type VerificationReport } from './verify-package.ts';

/**
 * One verification run of a sealed version, as the Verification state
 * machine drives it (statemachines/verification.asl.json):
 *   Prepare Checks → Map "Check Files" (one Check Batch per item) → Assemble Report.
 * Step Functions passes at most 256 KB between states, so everything that
 * grows with the package — the manifest, the units, the per-file results —
 * goes through the documents bucket and only keys and counts travel in the
 * state. Objects (adapters/s3-documents.ts):
 *   reports/<sub>/v<n>/plan.json, batches/<i>.json, units/<i>.json, report.json, report.html
 */

/** Files per Map item: a batch is checked by one Lambda within its timeout (headers only: ~one ranged GET per file). */
export const filesPerBatch = 200;

/** Files a Check Batch Lambda reads at once. */
export const batchConcurrency = 8;

export function reportPrefix(submissionId: string, n: number): string {
  return `reports/${submissionId}/v${n}/`;
}
export const reportJsonKey = (submissionId: string, n: number) => `${reportPrefix(submissionId, n)}report.json`;
export const reportHtmlKey = (submissionId: string, n: number) => `${reportPrefix(submissionId, n)}report.html`;
const planKey = (submissionId: string, n: number) => `${reportPrefix(submissionId, n)}plan.json`;
const batchKey = (submissionId: string, n: number, i: number) => `${reportPrefix(submissionId, n)}batches/${i}.json`;
const unitsKey = (submissionId: string, n: number, i: number) => `${reportPrefix(submissionId, n)}units/${i}.json`;

const manifestEntriesSchema = z.array(z.object({ path: z.string(), size: z.number(), sha256: z.string(), role: fileRoleSchema }));

const planSchema = z.object({
  submissionId: z.string(),
  n: z.number().check(z.int()),
  theme: themeIdSchema,
  regionCode: z.string(),
  manifest: manifestEntriesSchema,
  presentPaths: z.array(z.string()),
  batches: z.number().check(z.int()),
  preparedAt: z.string(),
});
type Plan = z.infer<typeof planSchema>;

const batchSchema = z.object({
  submissionId: z.string(),
  n: z.number().check(z.int()),
  theme: themeIdSchema,
  regionCode: z.string(),
  units: z.array(z.array(z.string())),
  manifest: manifestEntriesSchema,
});

export interface RunPorts {
  readonly store: Pick<SubmissionStore, 'getSubmission' | 'getVersion' | 'listFiles'>;
  readonly packages: PackageReader;
  readonly documents: DocumentStore;
  readonly now: () => Date;
}

/** One Map item: small, whatever the package size. */
export interface BatchItem {
  readonly batch: number;
  readonly key: string;
  readonly files: number;
}

export interface PreparedChecks {
  readonly submissionId: string;
  readonly n: number;
  readonly theme: ThemeId;
  readonly regionCode: string;
  readonly manifestFiles: number;
  readonly presentFiles: number;
  readonly batches: BatchItem[];
}

async function loadVersion(store: RunPorts['store'], submissionId: string, n: number): Promise<{ submission: Submission; version: Version }> {
  const submission = await store.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  const version = await store.getVersion(submissionId, n);
  if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
  return { submission, version };
}

/** Groups units (a shapefile set stays together) into batches of about `size` files. */
export function batchUnits(units: readonly string[][], size = filesPerBatch): string[][][] {
  const batches: string[][][] = [];
  let current: string[][] = [];
  let files = 0;
  for (const unit of units) {
    if (files > 0 && files + unit.length > size) {
      batches.push(current);
      current = [];
      files = 0;
    }
    current.push(unit);
    files += unit.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Prepare Checks.
 *
 * Primary course:
 *  1. the version is sealed (a verification reads an immutable package only);
 *  2. its manifest from the registry, the objects present under its prefix from the bucket;
 *  3. the present files grouped into units (planUnits) and batches;
 *  4. the plan and each batch written to the documents bucket; the Map gets
 *     one small item per batch. A package with no file at all gets one empty
 *     batch, so the report is still assembled (every file missing).
 */
export async function prepareChecks(ports: RunPorts, input: { submissionId: string; n: number }): Promise<PreparedChecks> {
  const { submission, version } = await loadVersion(ports.store, input.submissionId, input.n);
  if (version.status === 'open') {
    throw new ConflictError('VERSION_NOT_SEALED', `第 ${input.n} 版尚未封存，不能核验`);
  }
  const theme = submission.theme;
  const regionCode = version.catalogue.spatialScope.regionCode;
  const manifest: ManifestEntry[] = (await ports.store.listFiles(input.submissionId, input.n, version.manifestId)).map((f) => ({
    path: f.path,
    size: f.size,
    sha256: f.sha256,
    role: f.role,
  }));
  const prefix = versionPrefix(input.submissionId, input.n);
  const presentPaths = (await ports.packages.list(prefix)).map((o) => o.key.slice(prefix.length)).filter((p) => p !== '');
  const byPath = new Map(manifest.map((e) => [e.path, e]));
  const batches = batchUnits(planUnits(presentPaths));
  if (batches.length === 0) batches.push([]);

  const items: BatchItem[] = [];
  for (const [i, units] of batches.entries()) {
    const paths = units.flat();
    const key = batchKey(input.submissionId, input.n, i);
    await ports.documents.putJson(key, {
      submissionId: input.submissionId,
      n: input.n,
      theme,
      regionCode,
      units,
      manifest: paths.map((p) => byPath.get(p)).filter((e): e is ManifestEntry => e !== undefined),
    });
    items.push({ batch: i, key, files: paths.length });
  }
  const plan: Plan = {
    submissionId: input.submissionId,
    n: input.n,
    theme,
    regionCode,
    manifest,
    presentPaths,
    batches: items.length,
    preparedAt: ports.now().toISOString(),
  };
  await ports.documents.putJson(planKey(input.submissionId, input.n), plan);
  return { submissionId: input.submissionId, n: input.n, theme, regionCode, manifestFiles: manifest.length, presentFiles: presentPaths.length, batches: items };
}

export interface BatchSummary {
  readonly batch: number;
  readonly key: string;
  readonly units: number;
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  readonly bytesRead: number;
}

/**
 * Check Batch (one Map iteration): each unit of the batch through verifyUnit
 * over S3 ByteSources; the results go to the documents bucket, the state gets
 * counts only.
 */
export async function checkBatch(
  ports: Pick<RunPorts, 'packages' | 'documents'>,
  input: { submissionId: string; n: number; batch: number; key: string },
): Promise<BatchSummary> {
  const raw = await ports.documents.getJson(input.key);
  if (raw === undefined) throw new NotFoundError(`核验批次 ${input.key} 不存在`);
  const batch = batchSchema.parse(raw);
  const prefix = versionPrefix(batch.submissionId, batch.n);
  const results: UnitResult[] = new Array(batch.units.length);
  let next = 0;
  const worker = async () => {
    while (next < batch.units.length) {
      const i = next++;
      const paths = batch.units[i]!;
      const files = new Map<string, PackageFile>();
      for (const path of paths) files.set(path, await ports.packages.open(`${prefix}${path}`));
      results[i] = await verifyUnit({ paths, manifest: batch.manifest, files, theme: batch.theme, regionCode: batch.regionCode });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(batchConcurrency, batch.units.length)) }, worker));
  const key = unitsKey(input.submissionId, input.n, input.batch);
  await ports.documents.putJson(key, results);
  const defects = results.flatMap((r) => r.defects);
  const files = results.flatMap((r) => r.files);
  return {
    batch: input.batch,
    key,
    units: results.length,
    files: files.length,
    errors: defects.filter((d) => d.severity === 'error').length,
    warnings: defects.filter((d) => d.severity === 'warning').length,
    bytesRead: files.reduce((s, f) => s + f.reads.headerBytes + f.reads.streamedBytes, 0),
  };
}

export interface AssembledReport {
  readonly passed: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly files: number;
  readonly reportKey: string;
  readonly htmlKey: string;
}

/**
 * Assemble Report: the package-wide checks (completeness, theme profile) and
 * the verdict over every batch's results; report.json and report.html kept
 * for the round (R7.2: every round's report is kept).
 */
export async function assembleVerificationReport(
  ports: Pick<RunPorts, 'store' | 'documents' | 'now'> & { readonly orgName?: (code: string) => Promise<string | undefined> },
  input: { submissionId: string; n: number; batches: ReadonlyArray<{ key: string }> },
): Promise<{ summary: AssembledReport; report: VerificationReport }> {
  const raw = await ports.documents.getJson(planKey(input.submissionId, input.n));
  if (raw === undefined) throw new NotFoundError(`第 ${input.n} 版的核验计划不存在`);
  const plan = planSchema.parse(raw);
  const units: UnitResult[] = [];
  for (const b of input.batches) {
    const results = await ports.documents.getJson(b.key);
    if (!Array.isArray(results)) throw new NotFoundError(`核验结果 ${b.key} 不存在`);
    units.push(...(results as UnitResult[]));
  }
  const report = assembleReport({
    manifest: plan.manifest,
    presentPaths: plan.presentPaths,
    theme: plan.theme,
    regionCode: plan.regionCode,
    units,
    checkedAt: ports.now(),
  });
  const { submission, version } = await loadVersion(ports.store, input.submissionId, input.n);
  const submitter = (await ports.orgName?.(submission.implementerOrg)) ?? submission.implementerOrg;
  const html = renderReportHtml(report, { resultName: version.catalogue.name, submissionId: input.submissionId, packageVersion: input.n, round: input.n, submitter });
  const reportKey = reportJsonKey(input.submissionId, input.n);
  const htmlKey = reportHtmlKey(input.submissionId, input.n);
  await ports.documents.putJson(reportKey, report);
  await ports.documents.putText(htmlKey, html, 'text/html; charset=utf-8');
  return {
    summary: { passed: report.passed, errors: report.summary.errors, warnings: report.summary.warnings, files: report.summary.files, reportKey, htmlKey },
    report,
  };
}

/** The kept report of a round; undefined before its checks completed. */
export async function readReport(documents: DocumentStore, submissionId: string, n: number): Promise<VerificationReport | undefined> {
  return (await documents.getJson(reportJsonKey(submissionId, n))) as VerificationReport | undefined;
}
