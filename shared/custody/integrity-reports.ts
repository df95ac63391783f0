import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import { classificationLabels, clearanceAllows } from '#shared/reference/classifications.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { inScope } from '#shared/security/access.ts';
import { NotFoundError } from '#shared/errors.ts';
import { integrityReportSchema, type IntegrityRun, type Problem } from './integrity.ts';
import { statusLabels } from './report-html.ts';

/**
 * The integrity audit's reports as people read them (GET /custody/integrity-audits, issue 13): the runs the weekly
 * audit recorded (registry, newest first, one key query) and one run's findings read back from the report it wrote
 * to the documents bucket. The same rule as every read: a finding is shown to the organisations it concerns — its
 * custodian and organiser and the departments above them (R3.1) — and, for a result above the reader's clearance,
 * only as its unified number and status (no object key, no checksums: R5.1, the catalogue's rule).
 */

/** The runs the audit recorded (adapters/dynamo-integrity-runs.ts). */
export interface IntegrityRunReader {
  /** Newest first, at most `limit`. */
  listRuns(limit: number): Promise<IntegrityRun[]>;
  getRun(date: string, executionName: string): Promise<IntegrityRun | undefined>;
}

export interface IntegrityReportPorts {
  readonly runs: IntegrityRunReader;
  readonly documents: Pick<DocumentStore, 'getJson'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
}

/** `<date>.<executionName>`: the run's id in a path. */
export const runIdOf = (run: Pick<IntegrityRun, 'date' | 'executionName'>): string => `${run.date}.${run.executionName}`;
export const runIdPattern = /^(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9_-]{1,80})$/;

export interface FindingView {
  readonly resultNumber: string;
  readonly n: number;
  readonly status: Problem['status'];
  readonly statusLabel: string;
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  /** true: the result is above the reader's clearance — its number and status only. */
  readonly hidden: boolean;
  readonly key?: string;
  readonly classificationLabel?: string;
  readonly expectedSha256?: string;
  readonly actualSha256?: string;
  readonly expectedSize?: number;
  readonly actualSize?: number;
}

export interface RunView {
  readonly runId: string;
  readonly date: string;
  readonly executionName: string;
  readonly checkedAt: string;
  readonly passed: boolean;
  readonly objects: number;
  /** Findings of the whole run (every custodian). */
  readonly problems: number;
  /** Findings that concern the reader's organisation or those below it. */
  readonly mine: number;
}

const maxRuns = 52;

async function findingsInScope(ports: IntegrityReportPorts, actor: Principal, run: IntegrityRun): Promise<Problem[]> {
  if (run.problems === 0) return [];
  const report = integrityReportSchema.parse(await ports.documents.getJson(run.reportKey));
  const out: Problem[] = [];
  for (const p of report.problems) if (await inScope(ports.identity, actor, { organiserOrg: p.organiserOrg, custodianOrg: p.custodianOrg })) out.push(p);
  return out;
}

function runView(run: IntegrityRun, mine: number): RunView {
  return { runId: runIdOf(run), date: run.date, executionName: run.executionName, checkedAt: run.checkedAt, passed: run.passed, objects: run.objects, problems: run.problems, mine };
}

/** The recent runs (a year of weekly runs at most), each with the count of findings that concern the reader. */
export async function listIntegrityAudits(ports: IntegrityReportPorts, actor: Principal, limit = 20): Promise<{ items: RunView[] }> {
  const runs = await ports.runs.listRuns(Math.min(Math.max(limit, 1), maxRuns));
  const items = await Promise.all(runs.map(async (r) => runView(r, (await findingsInScope(ports, actor, r)).length)));
  return { items };
}

/** One run and its findings that concern the reader, each within the reader's clearance (else its number only). */
export async function getIntegrityAudit(ports: IntegrityReportPorts, actor: Principal, runId: string): Promise<{ run: RunView; findings: FindingView[] }> {
  const m = runIdPattern.exec(runId);
  const run = m ? await ports.runs.getRun(m[1]!, m[2]!) : undefined;
  if (!run) throw new NotFoundError(`完整性检查 ${runId} 不存在`);
  const problems = await findingsInScope(ports, actor, run);
  const classOf = new Map<string, Awaited<ReturnType<CatalogueStore['getEntry']>>>();
  for (const rn of new Set(problems.map((p) => p.resultNumber))) classOf.set(rn, await ports.catalogue.getEntry(rn));
  const findings = problems.map((p): FindingView => {
    const entry = classOf.get(p.resultNumber);
    const base = { resultNumber: p.resultNumber, n: p.n, status: p.status, statusLabel: statusLabels[p.status], custodianOrg: p.custodianOrg, organiserOrg: p.organiserOrg };
    // No catalogue entry to say the classification: treated as above clearance (shown by number only).
    if (!entry || !clearanceAllows(actor.clearance, entry.classification)) return { ...base, hidden: true };
    return {
      ...base,
      hidden: false,
      key: p.key,
      classificationLabel: classificationLabels[entry.classification],
      ...(p.expectedSha256 !== undefined ? { expectedSha256: p.expectedSha256 } : {}),
      ...(p.actualSha256 !== undefined ? { actualSha256: p.actualSha256 } : {}),
      ...(p.expectedSize !== undefined ? { expectedSize: p.expectedSize } : {}),
      ...(p.actualSize !== undefined ? { actualSize: p.actualSize } : {}),
    };
  });
  return { run: runView(run, findings.length), findings };
}
