import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { handler as escalateHandler } from '#functions/verification/escalate-review.ts';
import { handler as assembleHandler } from '#functions/verification/assemble-report.ts';
import { handler as checkHandler } from '#functions/verification/check-batch.ts';
import { handler as markVerifiedHandler } from '#functions/verification/mark-verified.ts';
import { handler as prepareHandler } from '#functions/verification/prepare-checks.ts';
import { handler as failureHandler } from '#functions/verification/record-verification-failure.ts';
import { handler as returnHandler } from '#functions/verification/return-to-submitter.ts';
import { handler as createHandler } from '#functions/tasks/create-human-task.ts';
import { projectRoot } from '#infra/local/paths.ts';
import { localAccount, localRegion } from '#infra/local/ports.ts';
import { LocalStepFunctions, SfnApiError } from '#infra/local/sfn-engine.ts';
import { manifest } from '#infra/manifest.ts';
import { DynamoHumanTaskStore } from '#adapters/dynamo-tasks.ts';
import { DynamoVerificationFailureLog } from '#adapters/dynamo-verification.ts';
import { fileByteSource } from '#test/fakes/file-byte-source.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { PackageReader } from '#shared/ports/verification.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { ManifestFile } from '#shared/schemas/submission.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { createNextVersion } from '#shared/submission/submissions.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import type { HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { newTaskId } from '#shared/tasks/ids.ts';
import type { PackageFile } from '#shared/verification/byte-source.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';
import { technicalCountersignKind } from '#shared/verification/countersign.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import type { DomainMetric, DomainMetrics } from '#shared/ports/metrics.ts';
import { InMemoryRegistryAccess, openedSubmission, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';
import { appBaseUrl, InMemoryDocumentReader, InMemoryDocuments, lambdaContext, RecordingMailer } from './tasks-fakes.ts';

/** The uploads bucket as the verifier reads it, backed by fixture files; checksums as S3 would vouch for them. */
export class FixturePackages implements PackageReader {
  readonly files = new Map<string, string>();
  failing: Error | undefined;

  async list(prefix: string) {
    const out: Array<{ key: string; size: number }> = [];
    for (const [key, file] of this.files) if (key.startsWith(prefix)) out.push({ key, size: (await stat(file)).size });
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async open(key: string): Promise<PackageFile> {
    if (this.failing) throw this.failing;
    const file = this.files.get(key);
    if (!file) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: 'NoSuchKey' });
    return fileByteSource(file, { storedSha256: createHash('sha256').update(await readFile(file)).digest('hex') });
  }
}

export const fixtureDir = (name: string) => join(projectRoot, 'test', 'fixtures', 'packages', name);

export async function fixtureManifest(name: string): Promise<ManifestFile[]> {
  return (JSON.parse(await readFile(join(fixtureDir(name), 'manifest.json'), 'utf8')) as { files: ManifestFile[] }).files;
}

async function fixtureFiles(name: string): Promise<Array<{ path: string; file: string; size: number }>> {
  const dir = fixtureDir(name);
  const out: Array<{ path: string; file: string; size: number }> = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = relative(dir, file).split(sep).join('/');
    if (path !== 'manifest.json') out.push({ path, file, size: (await stat(file)).size });
  }
  return out;
}

export interface VerificationWorld {
  readonly sub: SubmissionWorld;
  readonly engine: LocalStepFunctions;
  readonly documents: InMemoryDocuments;
  readonly packages: FixturePackages;
  readonly mailer: RecordingMailer;
  /** The domain metrics the handlers recorded (issue 11 §2). */
  readonly metrics: RecordingMetrics;
  readonly humanPorts: HumanTaskPorts;
  readonly invoked: string[];
  close(): Promise<void>;
}

/** A fake DomainMetrics: every value recorded, in order. */
export class RecordingMetrics implements DomainMetrics {
  readonly values: Array<[DomainMetric, number]> = [];
  record(metric: DomainMetric, value: number): void {
    this.values.push([metric, value]);
  }
  total(metric: DomainMetric): number {
    return this.values.filter(([m]) => m === metric).reduce((a, [, v]) => a + v, 0);
  }
}

/** The Verification ASL with its placeholders resolved, as the local endpoint loads it. */
export async function verificationDefinition(): Promise<string> {
  const def = manifest.stateMachines.find((m) => m.name === 'Verification');
  if (!def) throw new Error('no Verification state machine in the manifest');
  let text = await readFile(join(projectRoot, def.file), 'utf8');
  for (const [placeholder, fn] of Object.entries(def.functions)) {
    text = text.replaceAll(`\${${placeholder}}`, `arn:aws:lambda:${localRegion}:${localAccount}:function:${fn}`);
  }
  return text;
}

/**
 * The whole verification chain in one process: the submission context's
 * real domain over the in-memory registry, the Verification ASL run by the
 * local Step Functions engine, every step the real handler with fake
 * buckets and mailer, and the human-task facility answering the engine.
 */
export async function verificationWorld(): Promise<VerificationWorld> {
  const sub = await submissionWorld();
  const documents = new InMemoryDocuments();
  const packages = new FixturePackages();
  const mailer = new RecordingMailer();
  const metrics = new RecordingMetrics();
  const invoked: string[] = [];
  const handlers: Record<string, (event: unknown, ctx: typeof lambdaContext) => Promise<unknown>> = {};
  const engine = new LocalStepFunctions({
    machines: [{ name: 'Verification', definition: await verificationDefinition() }],
    invoke: async (fn, payload) => {
      invoked.push(fn);
      const handler = handlers[fn];
      if (!handler) throw Object.assign(new Error(`no handler ${fn}`), { name: 'ResourceNotFoundException' });
      return JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(payload)), lambdaContext)) ?? null)) as unknown;
    },
  });
  const workflow: Workflow = {
    async start(stateMachine, name, input) {
      return engine.startExecution({ stateMachineArn: engine.stateMachineArn(stateMachine), name, input: JSON.stringify(input) }).executionArn;
    },
    async sendTaskSuccess(taskToken, output) {
      try {
        engine.sendTaskSuccess({ taskToken, output: JSON.stringify(output) });
      } catch (error) {
        if (error instanceof SfnApiError && error.type === 'TaskTimedOut') throw new ConflictError('TASK_CLOSED', '该任务已结束');
        if (error instanceof SfnApiError) throw new NotFoundError('任务不存在或已失效');
        throw error;
      }
    },
    async sendTaskFailure() {},
    async sendTaskHeartbeat() {},
  };
  const vp = {
    submissions: sub.store,
    identity: sub.identity,
    calendar: sub.ports.calendar,
    now: sub.ports.now,
    mailer,
    documents,
    packages,
    appBaseUrl,
    metrics,
  };
  const tasks = new DynamoHumanTaskStore('registry', { client: new InMemoryDocumentReader(sub.tables), auditStore: sub.tables });
  const kindPorts = { store: sub.store, identity: sub.identity, documents, calendar: sub.ports.calendar, now: sub.ports.now, humanTasks: tasks };
  const declared = new Map<string, HumanTaskKind>([technicalReviewKind(kindPorts), technicalCountersignKind(kindPorts)].map((k) => [k.kind, k as HumanTaskKind]));
  const humanPorts: HumanTaskPorts = {
    tasks,
    vault: new AesGcmTokenVault(randomBytes(32)),
    identity: sub.identity,
    mailer,
    workflow,
    calendar: sub.ports.calendar,
    now: sub.ports.now,
    newId: newTaskId,
    appBaseUrl,
    kinds: (k) => declared.get(k),
  };
  Object.assign(handlers, {
    PrepareChecks: prepareHandler.with(vp),
    CheckBatch: checkHandler.with(vp),
    AssembleReport: assembleHandler.with(vp),
    CreateHumanTask: createHandler.with({ ...humanPorts, humanTasks: humanPorts.tasks }),
    EscalateReview: escalateHandler.with({ ...humanPorts, humanTasks: humanPorts.tasks }),
    ReturnToSubmitter: returnHandler.with(vp),
    MarkVerified: markVerifiedHandler.with(vp),
    RecordVerificationFailure: failureHandler.with({
      submissions: sub.store,
      now: sub.ports.now,
      verificationFailures: new DynamoVerificationFailureLog(new InMemoryRegistryAccess(sub.tables)),
    }),
  });
  return { sub, engine, documents, packages, mailer, metrics, humanPorts, invoked, close: () => engine.close() };
}

/** Uploads a fixture package's files as version n's objects and completes the version (which starts Verification). */
export async function uploadAndComplete(world: VerificationWorld, name: string, submissionId: string, n: number): Promise<string> {
  for (const f of await fixtureFiles(name)) {
    const key = objectKey(submissionId, n, f.path);
    world.sub.objects.putObject(key, f.size);
    world.packages.files.set(key, f.file);
  }
  const completed = await completeVersion(
    { actor: await world.sub.user('li.na'), submissionId, n, requestId: `req-complete-${n}` },
    { ...world.sub.ports, workflow: { ...world.humanPorts.workflow } },
  );
  if (!completed.executionArn) throw new Error('no execution started');
  return completed.executionArn;
}

/** A new submission of a fixture package (v1), uploaded and completed. */
export async function submitFixture(world: VerificationWorld, name: string, review: { reviewOrg?: string; countersignOrgs?: string[] } = {}): Promise<{ submissionId: string; executionArn: string }> {
  const { submission } = await openedSubmission(world.sub, await fixtureManifest(name), review);
  const executionArn = await uploadAndComplete(world, name, submission.submissionId, 1);
  return { submissionId: submission.submissionId, executionArn };
}

/** The next version after a return, with a fixture package's manifest, uploaded and completed. */
export async function resubmitFixture(world: VerificationWorld, submissionId: string, name: string): Promise<{ n: number; executionArn: string }> {
  const result = await createNextVersion({ actor: await world.sub.user('li.na'), submissionId, files: await fixtureManifest(name), requestId: 'req-v-next' }, world.sub.ports);
  const n = result.submission.currentVersion;
  return { n, executionArn: await uploadAndComplete(world, name, submissionId, n) };
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
