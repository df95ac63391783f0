import * as z from 'zod/mini';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { integrityAudited } from '#shared/supervision/effects.ts';
import type { CustodyCopyRecord, CustodyRecords, CustodyStore } from '#shared/ports/custody.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import { IntegrityResultsIncompleteError, IntegrityTooManyBatchesError } from './errors.ts';
import { collect, sha256OfBytes, sha256OfStream } from './hash.ts';
import { custodyObjectKey, integrityReportKey, integrityResultsPrefix, integrityWorkKey } from './keys.ts';
import { decodeManifest, packageRootHash, type CustodyFile } from './manifest.ts';
import { integrityReportHtml, statusLabels } from './report-html.ts';

/**
 * The scheduled integrity audit (R10.1: 定期检查数据有效性). Three steps of
 * the IntegrityAudit state machine, each a pure function of its ports:
 *  1. listResults — the expected set from the REGISTRY, not the bucket: every
 *     custody copy recorded there (custodyCopied, a key query on gsi1), less
 *     destroyed results, grouped into batches kept in the documents bucket
 *     (the state carries keys and counts: Step Functions payloads stop at 256 KB);
 *  2. checkBatch  — for each recorded copy, the bucket's manifest is trusted
 *     only if its SHA-256 equals the one the registry recorded (a missing or
 *     different manifest is a finding, and the registry's verified file list,
 *     checked against the recorded root hash, stands in for it); then every
 *     object against the trusted file list: missing, mismatch (size or
 *     SHA-256) or ok, from the store's verified checksum or by streaming and
 *     hashing;
 *  3. writeReport — the report (JSON + Chinese HTML) and the run's registry
 *     record; then alertProblems emails custodian and organiser.
 * Each batch's outcome (counts and problems) goes to the documents bucket
 * only: the Map discards its children's outputs and writeReport lists the
 * run's results/ prefix, so the state does not grow with the batch count.
 */

/** Manifests per batch: one Lambda checks one batch (15 min ceiling); a result version is rarely over a few hundred files. */
export const manifestsPerBatch = 50;
/** Objects checked at once inside a batch (HeadObject/GetObject in flight). */
export const objectConcurrency = 8;
/** Results files Write Report reads at once. */
export const resultsReadConcurrency = 16;
/**
 * Bytes the batch list may take in the state ($.run.batches). Step Functions
 * caps a state's input/output at 256 KiB (262,144 bytes); the rest of the
 * state (run date and name, counts, the schedule's input) stays well under
 * the 12 KiB left. See docs/custody.md “规模上限”.
 */
export const batchListBudgetBytes = 250_000;

export const runRefSchema = z.object({
  date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  executionName: z.string().check(z.minLength(1)).check(z.maxLength(80)),
});
export type RunRef = z.infer<typeof runRefSchema>;

/** `manifests`: the recorded custody copies (result versions, one manifest each) in the batch. */
export const batchRefSchema = z.object({ batch: z.number().check(z.int()).check(z.gte(0)), key: z.string().check(z.minLength(1)), manifests: z.number().check(z.int()).check(z.gte(0)) });
export type BatchRef = z.infer<typeof batchRefSchema>;

export const problemSchema = z.object({
  key: z.string(),
  resultNumber: z.string(),
  n: z.number().check(z.int()),
  custodianOrg: z.string(),
  organiserOrg: z.string(),
  /**
   * missing / mismatch: a package object; manifestMissing / manifestMismatch: the custody manifest
   * is absent or is not the one the registry recorded (SHA-256); unverifiable: neither the manifest
   * nor the registry's file list matches the recorded root hash, so the objects could not be checked.
   */
  status: z.enum(['missing', 'mismatch', 'manifestMissing', 'manifestMismatch', 'unverifiable']),
  expectedSha256: z.optional(z.string()),
  actualSha256: z.optional(z.string()),
  expectedSize: z.optional(z.number()),
  actualSize: z.optional(z.number()),
});
export type Problem = z.infer<typeof problemSchema>;

export const batchOutcomeSchema = z.object({
  batch: z.number().check(z.int()),
  resultsKey: z.string(),
  objects: z.number().check(z.int()),
  ok: z.number().check(z.int()),
  missing: z.number().check(z.int()),
  mismatched: z.number().check(z.int()),
  /** Objects whose checksum came from the store (no bytes read). */
  byStoredChecksum: z.number().check(z.int()),
  /** Objects streamed and hashed (no verified store checksum: an emulator, a multipart upload). */
  streamed: z.number().check(z.int()),
  bytesStreamed: z.number(),
});
export type BatchOutcome = z.infer<typeof batchOutcomeSchema>;

/** What Check Batch writes to integrity/<date>/<executionName>/results/<batch>.json; Write Report reads it back. */
export const batchResultsSchema = z.extend(z.omit(batchOutcomeSchema, { resultsKey: true }), {
  manifests: z.number().check(z.int()).check(z.gte(0)),
  problems: z.array(problemSchema),
  /** Manifests checked per custodian organisation: the run's R10.1 counters (issue 14; absent in files written before). */
  byCustodian: z.optional(z.record(z.string(), z.number().check(z.int()).check(z.gte(0)))),
});
export type BatchResults = z.infer<typeof batchResultsSchema>;

/** Listing by prefix in the documents bucket (ListObjectsV2 pages; adapters/s3-documents.ts). */
export interface DocumentKeyLister {
  list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }>;
}

/** What the IntegrityAudit steps use (functions/custody/*); unit tests pass fakes. */
export interface IntegrityAuditPorts {
  readonly custody: CustodyStore;
  /** The registry's custody records (List Results: the expected set; Check Batch: the verified file lists). */
  readonly records: CustodyRecords;
  /** Write Report lists the run's per-batch results by prefix. */
  readonly documents: DocumentStore & DocumentKeyLister;
  readonly trustStoredChecksums: boolean;
  readonly runs: IntegrityRunLog;
  readonly identity: Pick<IdentityRepository, 'listUsers'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

export interface IntegrityPorts {
  readonly custody: CustodyStore;
  /** The registry's custody records: the expected set and the verified file lists. */
  readonly records: CustodyRecords;
  readonly documents: DocumentStore;
  /**
   * Trust the store's SHA-256 where it has a full-object one: true on AWS
   * (S3 verified it on arrival), false on an emulator, which records what a
   * client claims (adapters/s3-byte-source.ts storedChecksumsTrusted).
   */
  readonly trustStoredChecksums: boolean;
}

/** The batch file List Results writes: the registry's records of the custody copies to check. */
const batchFileSchema = z.object({
  copies: z.array(
    z.object({
      resultNumber: z.string(),
      n: z.number().check(z.int()),
      submissionId: z.string(),
      custodianOrg: z.string(),
      organiserOrg: z.string(),
      manifestKey: z.string(),
      manifestSha256: z.string(),
      rootHash: z.string(),
      files: z.number().check(z.int()),
      bytes: z.number(),
    }),
  ),
});

/**
 * Step 1: every custody copy the registry recorded (a key query on gsi1
 * CUSTODYCOPIES, never a bucket listing), except destroyed results, in
 * batches written to the documents bucket.
 */
export async function listResults(ports: Pick<IntegrityPorts, 'records' | 'documents'>, run: RunRef): Promise<{ batches: BatchRef[]; manifests: number; destroyed: number }> {
  const batches: BatchRef[] = [];
  let pending: CustodyCopyRecord[] = [];
  let total = 0;
  let destroyed = 0;
  const flush = async () => {
    const batch = batches.length;
    const key = integrityWorkKey(run.date, run.executionName, 'batches', batch);
    await ports.documents.putJson(key, { copies: pending });
    batches.push({ batch, key, manifests: pending.length });
    pending = [];
  };
  let cursor: string | undefined;
  do {
    const page = await ports.records.listCopies(cursor);
    const gone = await mapLimit(page.copies, objectConcurrency, (c) => ports.records.isDestroyed(c.resultNumber));
    for (const [i, copy] of page.copies.entries()) {
      if (gone[i]) {
        destroyed += 1;
        continue;
      }
      pending.push(copy);
      total += 1;
      if (pending.length === manifestsPerBatch) await flush();
    }
    cursor = page.cursor;
  } while (cursor);
  if (pending.length > 0) await flush();
  const bytes = Buffer.byteLength(JSON.stringify(batches));
  if (bytes > batchListBudgetBytes) throw new IntegrityTooManyBatchesError(batches.length, bytes);
  return { batches, manifests: total, destroyed };
}

/**
 * The file list to check a copy against, and the manifest's own finding:
 * the bucket's manifest only if its SHA-256 is the recorded one (and its
 * files give the recorded root hash); else the registry's verified file list
 * if it gives the recorded root hash; else nothing can be checked.
 */
async function trustedFiles(ports: Pick<IntegrityPorts, 'custody' | 'records'>, copy: CustodyCopyRecord): Promise<{ files?: CustodyFile[]; problems: Problem[] }> {
  const owner = { resultNumber: copy.resultNumber, n: copy.n, custodianOrg: copy.custodianOrg, organiserOrg: copy.organiserOrg };
  let problem: Problem;
  if (!(await ports.custody.head(copy.manifestKey))) {
    problem = { ...owner, key: copy.manifestKey, status: 'manifestMissing', expectedSha256: copy.manifestSha256 };
  } else {
    const body = await collect(ports.custody.read(copy.manifestKey));
    const actual = sha256OfBytes(body);
    if (actual === copy.manifestSha256) {
      const manifest = decodeManifest(body);
      if (packageRootHash(manifest.files) === copy.rootHash) return { files: manifest.files, problems: [] };
    }
    problem = { ...owner, key: copy.manifestKey, status: 'manifestMismatch', expectedSha256: copy.manifestSha256, actualSha256: actual, actualSize: body.byteLength };
  }
  const recorded = await ports.records.listVersionFiles(copy.submissionId, copy.n);
  if (recorded.length === copy.files && packageRootHash(recorded) === copy.rootHash) {
    return { problems: [problem], files: recorded.map((f) => ({ path: f.path, key: custodyObjectKey(copy.resultNumber, copy.n, f.path), size: f.size, sha256: f.sha256 })) };
  }
  return { problems: [problem, { ...owner, key: copy.manifestKey, status: 'unverifiable', expectedSha256: copy.rootHash }] };
}

type Check = { problem?: Problem; method: 'stored' | 'streamed' | 'none'; bytes: number };

/**
 * Step 2: every object of the batch's manifests; counts and problems to the
 * documents bucket (the state machine keeps only the batch number).
 */
export async function checkBatch(ports: IntegrityPorts, run: RunRef, ref: Pick<BatchRef, 'batch' | 'key'>): Promise<BatchOutcome> {
  const stored = batchFileSchema.parse(await ports.documents.getJson(ref.key));
  const problems: Problem[] = [];
  const counts = { objects: 0, ok: 0, missing: 0, mismatched: 0, byStoredChecksum: 0, streamed: 0, bytesStreamed: 0 };
  for (const copy of stored.copies) {
    const trusted = await trustedFiles(ports, copy);
    for (const p of trusted.problems) {
      // A manifest finding counts as one object; an unverifiable copy stands for its recorded files, none of them checked.
      problems.push(p);
      counts.objects += 1;
      if (p.status === 'manifestMissing') counts.missing += 1;
      else counts.mismatched += 1;
    }
    if (!trusted.files) continue;
    const owner = { resultNumber: copy.resultNumber, n: copy.n, custodianOrg: copy.custodianOrg, organiserOrg: copy.organiserOrg };
    const checks = await mapLimit(trusted.files, objectConcurrency, async (f): Promise<Check> => {
      const head = await ports.custody.head(f.key);
      if (!head) return { method: 'none', bytes: 0, problem: { ...owner, key: f.key, status: 'missing', expectedSha256: f.sha256, expectedSize: f.size } };
      if (head.size !== f.size) {
        return { method: 'none', bytes: 0, problem: { ...owner, key: f.key, status: 'mismatch', expectedSha256: f.sha256, expectedSize: f.size, actualSize: head.size } };
      }
      const trusted = ports.trustStoredChecksums ? head.storedSha256 : undefined;
      const { sha256, bytes, method } = trusted
        ? { sha256: trusted, bytes: 0, method: 'stored' as const }
        : { ...(await sha256OfStream(ports.custody.read(f.key))), method: 'streamed' as const };
      if (sha256 !== f.sha256) {
        return { method, bytes, problem: { ...owner, key: f.key, status: 'mismatch', expectedSha256: f.sha256, actualSha256: sha256, expectedSize: f.size, actualSize: head.size } };
      }
      return { method, bytes };
    });
    for (const c of checks) {
      counts.objects += 1;
      if (c.method === 'stored') counts.byStoredChecksum += 1;
      if (c.method === 'streamed') counts.streamed += 1;
      counts.bytesStreamed += c.bytes;
      if (!c.problem) counts.ok += 1;
      else {
        problems.push(c.problem);
        if (c.problem.status === 'missing') counts.missing += 1;
        else counts.mismatched += 1;
      }
    }
  }
  const resultsKey = integrityWorkKey(run.date, run.executionName, 'results', ref.batch);
  const byCustodian: Record<string, number> = {};
  for (const copy of stored.copies) byCustodian[copy.custodianOrg] = (byCustodian[copy.custodianOrg] ?? 0) + 1;
  const results: BatchResults = { batch: ref.batch, manifests: stored.copies.length, ...counts, problems, byCustodian };
  await ports.documents.putJson(resultsKey, results);
  return { batch: ref.batch, resultsKey, ...counts };
}

export interface IntegrityReport {
  readonly date: string;
  readonly executionName: string;
  readonly checkedAt: string;
  readonly passed: boolean;
  readonly manifests: number;
  readonly objects: number;
  readonly ok: number;
  readonly missing: number;
  readonly mismatched: number;
  readonly byStoredChecksum: number;
  readonly streamed: number;
  readonly bytesStreamed: number;
  readonly problems: Problem[];
}

export interface IntegrityRun {
  readonly date: string;
  readonly executionName: string;
  readonly checkedAt: string;
  readonly passed: boolean;
  readonly objects: number;
  readonly problems: number;
  readonly reportKey: string;
  readonly htmlKey: string;
}

/** The registry record of a run (INTEGRITY#<date> / RUN#<executionName>), written with its audit record. */
export interface IntegrityRunLog {
  record(run: IntegrityRun, entry: AuditEntry): Promise<void>;
}

/**
 * The results files of a run, one per batch 0..batches-1, read from the
 * documents bucket (listed by prefix, not handed through the state). A
 * missing or unexpected file fails the step: a report must not pass objects
 * no batch checked.
 */
export async function readBatchResults(documents: DocumentStore & DocumentKeyLister, run: RunRef, batches: number): Promise<BatchResults[]> {
  const prefix = integrityResultsPrefix(run.date, run.executionName);
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await documents.list(prefix, cursor);
    keys.push(...page.keys);
    cursor = page.cursor;
  } while (cursor);
  const expected = new Set(Array.from({ length: batches }, (_, i) => integrityWorkKey(run.date, run.executionName, 'results', i)));
  const stray = keys.filter((k) => !expected.has(k));
  if (stray.length > 0) throw new IntegrityResultsIncompleteError([], `批次列表之外的结果文件 ${stray.slice(0, 5).join('、')}`);
  const found = new Set(keys);
  const missing = [...expected].flatMap((k, i) => (found.has(k) ? [] : [i]));
  if (missing.length > 0) throw new IntegrityResultsIncompleteError(missing, `${missing.length} 批没有检查结果（第 ${missing.slice(0, 10).join('、')} 批）`);
  return mapLimit([...expected], resultsReadConcurrency, async (key) => {
    const results = batchResultsSchema.parse(await documents.getJson(key));
    if (key !== integrityWorkKey(run.date, run.executionName, 'results', results.batch)) throw new IntegrityResultsIncompleteError([], `结果文件 ${key} 记录的批次号 ${results.batch} 与文件名不符`);
    return results;
  });
}

/** Step 3: the report, JSON and Chinese HTML, and the run's audited registry record. */
export async function writeReport(
  ports: { documents: DocumentStore & DocumentKeyLister; runs: IntegrityRunLog; now: () => Date },
  input: RunRef & { manifests: number; batches: number; requestId: string },
): Promise<{ passed: boolean; problems: number; reportKey: string; htmlKey: string }> {
  const results = await readBatchResults(ports.documents, input, input.batches);
  const checkedManifests = results.reduce((s, b) => s + b.manifests, 0);
  if (checkedManifests !== input.manifests) {
    throw new IntegrityResultsIncompleteError([], `各批检查了 ${checkedManifests} 份保管清单，列出的是 ${input.manifests} 份`);
  }
  // Batch order (0, 1, 2 …, not the listing's 0, 1, 10 …), so problems keep the order of the custody listing.
  const problems: Problem[] = results.flatMap((b) => b.problems);
  const sum = (k: 'objects' | 'ok' | 'missing' | 'mismatched' | 'byStoredChecksum' | 'streamed' | 'bytesStreamed') => results.reduce((s, b) => s + b[k], 0);
  const checkedAt = ports.now().toISOString();
  const report: IntegrityReport = {
    date: input.date,
    executionName: input.executionName,
    checkedAt,
    passed: problems.length === 0,
    manifests: input.manifests,
    objects: sum('objects'),
    ok: sum('ok'),
    missing: sum('missing'),
    mismatched: sum('mismatched'),
    byStoredChecksum: sum('byStoredChecksum'),
    streamed: sum('streamed'),
    bytesStreamed: sum('bytesStreamed'),
    problems,
  };
  const reportKey = integrityReportKey(input.date, input.executionName, 'json');
  const htmlKey = integrityReportKey(input.date, input.executionName, 'html');
  await ports.documents.putJson(reportKey, report);
  await ports.documents.putText(htmlKey, integrityReportHtml(report), 'text/html; charset=utf-8');
  // R10.1 counters (issue 14 §2): every custodian whose copies were checked, with the findings among its copies.
  const byCustodian: Record<string, { findings: number }> = {};
  for (const b of results) for (const org of Object.keys(b.byCustodian ?? {})) byCustodian[org] ??= { findings: 0 };
  for (const p of problems) (byCustodian[p.custodianOrg] ??= { findings: 0 }).findings += 1;
  await ports.runs.record(
    { date: input.date, executionName: input.executionName, checkedAt, passed: report.passed, objects: report.objects, problems: problems.length, reportKey, htmlKey },
    withSupervision(
      {
        actor: 'system:WriteIntegrityReport',
        orgCode: 'SYSTEM',
        action: 'custody.integrity.audit',
        target: `INTEGRITY#${input.date}#${input.executionName}`,
        outcome: report.passed ? 'success' : 'failed',
        requestId: input.requestId,
        detail: { objects: report.objects, missing: report.missing, mismatched: report.mismatched, reportKey },
      },
      integrityAudited(byCustodian),
      checkedAt,
    ),
  );
  return { passed: report.passed, problems: problems.length, reportKey, htmlKey };
}

export const integrityReportSchema = z.looseObject({ date: z.string(), executionName: z.string(), passed: z.boolean(), problems: z.array(problemSchema) });

/** The restore command an alert names (docs/custody.md, “恢复”). */
export function restoreCommand(reportKey: string): string {
  return `npm run custody:restore -- --all-damaged ${reportKey} --operator <您的用户名>`;
}


/**
 * Step 4 (only when problems were found): one email per custodian/organiser
 * pair naming each bad object and the restore procedure, to the custodian
 * unit's custodians and the organiser's reviewers.
 */
export async function alertProblems(
  ports: { documents: DocumentStore; identity: Pick<IdentityRepository, 'listUsers'>; mailer: Mailer },
  input: { reportKey: string },
): Promise<{ emails: number; recipients: string[] }> {
  const report = integrityReportSchema.parse(await ports.documents.getJson(input.reportKey));
  const groups = new Map<string, Problem[]>();
  for (const p of report.problems) {
    const k = `${p.custodianOrg}|${p.organiserOrg}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const recipients = new Set<string>();
  let emails = 0;
  for (const [k, problems] of groups) {
    const [custodianOrg = '', organiserOrg = ''] = k.split('|');
    const to = new Set<string>();
    for (const u of custodianOrg ? await ports.identity.listUsers(custodianOrg) : []) if (u.roles.includes('custodian')) to.add(u.email);
    for (const u of organiserOrg ? await ports.identity.listUsers(organiserOrg) : []) if (u.roles.includes('reviewer')) to.add(u.email);
    if (to.size === 0) continue;
    const lines = problems.map((p, i) => `${i + 1}. ${p.key}（成果 ${p.resultNumber} 第 ${p.n} 版）：${statusLabels[p.status]}${p.expectedSha256 ? `；清单 SHA-256 ${p.expectedSha256}` : ''}${p.actualSha256 ? `；实际 ${p.actualSha256}` : ''}`);
    const text = [
      `保管成果完整性检查（${report.date}，${report.executionName}）发现 ${problems.length} 个保管对象缺失或与保管清单不符：`,
      '',
      ...lines,
      '',
      '请按《保管成果完整性与恢复》（docs/custody.md）处理：',
      '1. 核实异常原因（对象版本历史、访问日志）；',
      `2. 由运维人员从异地备份副本恢复（先核对备份副本的 SHA-256 与保管清单一致）：${restoreCommand(input.reportKey)}`,
      '3. 重新运行完整性检查，确认全部通过。',
      '',
      `完整报告：文档存储 ${input.reportKey}`,
      '',
      'Custody integrity audit: objects above are missing or do not match their manifest. Restore from the backup copy (docs/custody.md).',
    ].join('\n');
    await ports.mailer.send({ to: [...to], subject: `【保管完整性告警】${problems.length} 个保管对象缺失或校验不符`, text });
    for (const t of to) recipients.add(t);
    emails += 1;
  }
  return { emails, recipients: [...recipients].sort() };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
