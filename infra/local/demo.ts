/**
 * Demo data for a fresh local cloud: a living catalogue, the public
 * catalogue published, a verification waiting for its reviewer and a task
 * whose R6.1 clock is running — so that the links `npm start` prints show
 * something before anyone has run the chain by hand.
 *
 * Everything goes through the domain functions and adapters the handlers
 * use (audited writes, the catalogue's numbering, the Transfer steps, the
 * public-catalogue publisher); nothing is written raw. Shortcuts, all
 * recorded in the audit chain under `system:demo`:
 *  - the historic results are imported as already verified: their v1 is
 *    sealed and marked verified by `system:demo` without running the
 *    Verification state machine (one verification per result would fill the
 *    inbox with review mails and take seconds each);
 *  - the classified result is catalogued by the custodian as `system:demo`
 *    (R5.1: held offline, there is nothing to transfer).
 * Three submissions run the real chain: uploaded by 李娜 with presigned URLs,
 * completed, checked by the Verification state machine — liveResult then
 * waits for 陈静's review (an email with the task link), returnedResult is
 * returned for its WGS 84 coordinates (an email to 李娜 with the R7.2 date);
 * a third (countersignResult, R7.1) waits for the technical unit 郭涛's
 * countersign before 陈静's review.
 * Every demo content starts with 【演示数据】 and every task's description says
 * so. Ids are deterministic (demoId), so a second run finds its marker (the
 * first task) and writes nothing. The packages are the project's fixtures
 * (test/fixtures/packages), a few KB each.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { publishPublicCatalogue, type PublishPorts, type PublishResult } from '#shared/catalogue/public/publish.ts';
import type { CopyPorts } from '#shared/custody/copy.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import { visibleClassifications } from '#shared/catalogue/catalogue.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { SubmissionPorts } from '#shared/ports/submission.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { ManifestFile } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { chinaDay } from '#shared/submission/deadlines.ts';
import { submissionEntry, timelineEvent } from '#shared/submission/events.ts';
import { markVerified } from '#shared/submission/outcomes.ts';
import { approveRelease, publishRelease, type ReleaseFileStore } from '#shared/publication/publish.ts';
import { createRelease, type ReleaseStore } from '#shared/publication/release.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { recordCompletion, registerSurveyTask } from '#shared/submission/tasks.ts';
import { completeVersion, executionNameOf, issueUploadUrls, type UploadInstruction } from '#shared/submission/uploads.ts';
import { assignNumber, copyIntoCustody, recordReceipt, transferExecutionName, transferRequired, type TransferPorts } from '#shared/transfer/transfer.ts';
import { classifiedResult, countersignResult, countersignUnit, demoActor, demoMark, demoRegions, historicResults, liveResult, pendingTask, returnedResult, type DemoRegion, type DemoResult } from './demo-data.ts';

export * from './demo-data.ts';

import { writePublicationDemo, type PublicationDemoPorts } from './demo-publication.ts';

/** The publication demo's ports: the main demo's, and the human-task decision as DecideHumanTask composes it. */
async function publicationDemoPorts(ports: DemoPorts): Promise<PublicationDemoPorts> {
  const [{ compose }, { functionByName }, registry, { vault }, { workflow }, basics, { kinds }, { decideHumanTask }] = await Promise.all([
    import('#runtime/compose.ts'),
    import('#infra/manifest.ts'),
    import('#runtime/ports/registry.ts'),
    import('#runtime/ports/vault.ts'),
    import('#runtime/ports/workflow.ts'),
    import('#runtime/ports/basics.ts'),
    import('#runtime/ports/human-task-kinds.ts'),
    import('#shared/tasks/human-tasks.ts'),
  ]);
  const p = compose([registry.humanTasks, vault, workflow, registry.calendar, basics.now, kinds], functionByName('DecideHumanTask'));
  return {
    submission: ports.submission,
    catalogue: ports.catalogue,
    packageFiles: () => ports.packageFiles('valid'),
    send: ports.send,
    decide: async (kind, subject, userId) => {
      const actor = await ports.submission.identity.getUser(userId);
      if (!actor) throw new Error(`演示用户 ${userId} 不存在`);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const open = (await p.humanTasks.listBySubject(kind, subject)).find((t) => t.status === 'open');
        if (open) {
          await decideHumanTask({ ...p, tasks: p.humanTasks }, { actor, id: open.id, decision: 'approve', reasons: '', requestId: 'demo' });
          return;
        }
        if (Date.now() > deadline) throw new Error(`演示：${kind} 任务 60 秒内未创建`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

const demoRequest = 'demo';

/** Issue 15: the released (公开) version of the 内部 wetland result, downloadable from /public/ (R17.2). */
export const releasedDemo = { key: 'gd-wetland-2024-release', source: 'gd-wetland-2024' } as const;

const order = [...historicResults.map((r) => r.key), classifiedResult.key, liveResult.key, pendingTask.key, returnedResult.key, countersignResult.key, releasedDemo.key];

/**
 * The demo's ids: fixed UUIDs (version 4 layout) per item and call, so a
 * re-run recognises what it wrote. `call` counts the ids one item asks for
 * (task, submission, manifest).
 */
export function demoId(key: string, call: number): string {
  const item = order.indexOf(key);
  if (item < 0) throw new Error(`unknown demo item ${key}`);
  return `d3e00000-0000-4000-8000-${String(item + 1).padStart(6, '0')}${String(call).padStart(6, '0')}`;
}

/** The first task written: present means the demo was written before. */
export const demoMarkerTaskId = demoId(order[0] as string, 1);

export type DemoFixture = 'valid' | 'wgs84-crs';

/** A package the demo's submitter uploads: a manifest and the bytes of each file. */
export interface DemoPackage {
  readonly files: ManifestFile[];
  readonly bytes: ReadonlyMap<string, Uint8Array>;
}

export interface DemoPorts {
  /** The submission context (its newId is replaced by demoId). */
  readonly submission: SubmissionPorts;
  readonly transfer: TransferPorts;
  readonly copy: CopyPorts;
  readonly catalogue: CatalogueStore;
  readonly publish: PublishPorts;
  /** Release versions (issue 15): when given, one result is released and downloadable from /public/. */
  readonly release?: { readonly releases: ReleaseStore; readonly releaseFiles: ReleaseFileStore };
  /** The packages the demo uploads: the project's fixtures, `valid` (passes the real verification) and `wgs84-crs` (returned by it). */
  readonly packageFiles: (fixture: DemoFixture) => Promise<DemoPackage>;
  /** The submitter's client: sends one file as its upload instruction says (a PUT with the signed headers). */
  readonly send: (target: { submissionId: string; n: number }, instruction: UploadInstruction, bytes: Uint8Array) => Promise<void>;
}

export interface DemoSummary {
  readonly created: boolean;
  /** Unified numbers of the catalogued results, in order. */
  readonly resultNumbers: string[];
  /** The released version downloadable from /public/ (R17.2), when the release ports were given. */
  readonly releaseNumber?: string;
  readonly published?: PublishResult;
  /** Waiting for 陈静's review once the Verification state machine has run. */
  readonly reviewSubmissionId?: string;
  /** R7.1: the submission whose review waits for the technical unit's countersign. */
  readonly countersignSubmissionId?: string;
  /** Returned by the automated checks once the Verification state machine has run (R7.2 clock). */
  readonly returnedSubmissionId?: string;
  readonly pendingTaskId?: string;
}

const daysBefore = (now: Date, days: number) => chinaDay(new Date(now.getTime() - days * 86_400_000));

/** Writes the demo unless its marker exists. */
export async function writeDemoData(ports: DemoPorts): Promise<DemoSummary> {
  const store = ports.submission.store;
  if (await store.getTask(demoMarkerTaskId)) return { created: false, resultNumbers: [] };

  const user = async (userId: string): Promise<Principal> => {
    const u = await ports.submission.identity.getUser(userId);
    if (!u) throw new Error(`演示用户 ${userId} 不存在（seed 未写入？）`);
    return u;
  };
  const submitter = await user('li.na');
  const valid = await ports.packageFiles('valid');

  const portsFor = (key: string): SubmissionPorts => {
    let call = 0;
    return { ...ports.submission, newId: () => demoId(key, ++call) };
  };

  const task = async (p: SubmissionPorts, item: { key: string; organiser: string; theme: ThemeId; region: DemoRegion; name: string }, completionDate: string, countersignOrgs?: string[]) => {
    const registered = await registerSurveyTask(
      {
        actor: await user(item.organiser),
        input: {
          name: item.name.replace(/成果$/, ''),
          theme: item.theme,
          regionCode: item.region,
          implementerOrg: submitter.orgCode,
          custodianOrg: '440000-CUS',
          description: `${demoMark}本地云首次启动时自动生成的演示任务`,
          ...(countersignOrgs ? { countersignOrgs } : {}),
        },
        requestId: demoRequest,
      },
      p,
    );
    await recordCompletion({ actor: submitter, taskId: registered.taskId, completionDate, requestId: demoRequest }, p);
    return registered.taskId;
  };

  const open = async (p: SubmissionPorts, taskId: string, r: DemoResult) =>
    openSubmission(
      {
        actor: submitter,
        taskId,
        catalogue: {
          name: r.name,
          content: `${demoMark}${r.content}`,
          format: r.format,
          spatialScope: { regionCode: r.region, bbox: [...demoRegions[r.region].bbox] as [number, number, number, number] },
          timePoint: r.timePoint,
          classification: r.classification,
          sharingMode: r.sharingMode,
        },
        files: (r === returnedResult ? await ports.packageFiles('wgs84-crs') : valid).files,
        requestId: demoRequest,
      },
      p,
    );

  const upload = async (p: SubmissionPorts, submissionId: string, pkg: DemoPackage = valid) => {
    const urls = await issueUploadUrls({ actor: submitter, submissionId, n: 1, requestId: demoRequest }, p);
    for (const f of urls.files) {
      if (f.status !== 'pending') continue;
      const bytes = pkg.bytes.get(f.path);
      if (!bytes) throw new Error(`演示成果包缺少文件 ${f.path}`);
      await ports.send({ submissionId, n: 1 }, f, bytes);
    }
  };

  const resultNumbers: string[] = [];
  const historicTasks = new Map<string, string>();
  /** The historic import: sealed and verified by system:demo (see the module comment), audited like any seal. */
  const sealVerified = async (p: SubmissionPorts, submission: Awaited<ReturnType<typeof open>>['submission']) => {
    const id = submission.submissionId;
    const at = p.now().toISOString();
    const version = submission.versions[0];
    await store.sealVersion(
      {
        submission,
        n: 1,
        at,
        by: demoActor,
        executionName: executionNameOf(id, 1),
        events: [timelineEvent(id, 'versionSealed', at, demoActor, { fileCount: version?.fileCount, totalBytes: version?.totalBytes, demo: true }, 1)],
      },
      submissionEntry(demoActor, submission, 'submission.version.seal', demoRequest, { demo: true, import: 'historic result, verified before the demo' }, 1),
    );
    await markVerified(p, { submissionId: id, n: 1, decidedBy: demoActor, requestId: demoRequest });
  };
  for (const [i, r] of historicResults.entries()) {
    const p = portsFor(r.key);
    // Completed recently, so that the import meets R6.1 (30 WD) instead of showing every historic result as submitted late.
    const taskId = await task(p, r, daysBefore(p.now(), 24 - i));
    const opened = await open(p, taskId, r);
    const submission = opened.submission;
    const id = submission.submissionId;
    historicTasks.set(r.key, taskId);
    await upload(p, id);
    await sealVerified(p, submission);
    // What POST …/transfer writes (the one conditional start, with its audited transferRequested event); the steps below are the Transfer's.
    const executionName = transferExecutionName(id);
    await store.claimTransfer(
      { submissionId: id, n: 1, attempt: 1, at: p.now().toISOString(), events: [timelineEvent(id, 'transferRequested', p.now().toISOString(), demoActor, { executionName, attempt: 1, transferRequired: transferRequired(submission), demo: true }, 1)] },
      submissionEntry(demoActor, submission, 'submission.transfer.request', demoRequest, { executionName, attempt: 1, requirement: 'R8.1', demo: true }, 1),
    );
    const numbered = await assignNumber(ports.transfer, { submissionId: id, requestId: demoRequest });
    await copyIntoCustody({ copy: ports.copy, store, now: p.now }, { submissionId: id, n: 1, resultNumber: numbered.resultNumber, requestId: demoRequest });
    await recordReceipt(ports.transfer, {
      submissionId: id,
      n: 1,
      resultNumber: numbered.resultNumber,
      receipt: { decidedBy: demoActor, decidedAt: p.now().toISOString() },
      requestId: demoRequest,
    });
    resultNumbers.push(numbered.resultNumber);
  }

  {
    const r = classifiedResult;
    const p = portsFor(r.key);
    const taskId = await task(p, r, daysBefore(p.now(), 15));
    const opened = await open(p, taskId, r);
    const { entry } = await registerCatalogueEntry(
      { catalogue: ports.catalogue, submissions: store, now: p.now },
      { submissionId: opened.submission.submissionId, actor: { system: 'demo', orgCode: opened.submission.custodianOrg }, requestId: demoRequest },
    );
    resultNumbers.push(entry.resultNumber);
  }

  // Issue 15 (R11.1, R17.2): the wetland result's 公开 release version — its desensitised package verified as a
  // submission of the same task, registered by 刘洋, approved (as the approval workflow records it) and released.
  let releaseNumber: string | undefined;
  if (ports.release) {
    const source = historicResults.find((r) => r.key === releasedDemo.source)!;
    const sourceNumber = resultNumbers[historicResults.indexOf(source)]!;
    const p = portsFor(releasedDemo.key);
    const opened = await open(p, historicTasks.get(source.key)!, { ...source, name: `${source.name}（公开版）`, classification: 'public' });
    await upload(p, opened.submission.submissionId);
    await sealVerified(p, opened.submission);
    const { release } = await createRelease(
      { catalogue: ports.catalogue, submissions: store, identity: ports.submission.identity, releases: ports.release.releases, now: p.now },
      {
        actor: await user('liu.yang'),
        resultNumber: sourceNumber,
        body: {
          submissionId: opened.submission.submissionId,
          classification: 'public',
          desensitisation: {
            changes: [
              { action: 'shifted', target: 'coordinates', description: '湿地图斑坐标按国家规定的非线性偏移处理' },
              { action: 'removed', target: 'attributes', description: '删除权属单位与管护责任人字段' },
            ],
            method: '坐标偏移插件 2.1，属性字段删除脚本',
            rule: '公开地图内容表示规定',
            basisDocument: '粤自然资发〔2026〕12 号',
            performedBy: '广东省国土资源测绘院',
            performedOn: daysBefore(p.now(), 5),
          },
        },
        requestId: demoRequest,
      },
    );
    releaseNumber = release.releaseNumber;
    await approveRelease({ catalogue: ports.catalogue, now: p.now }, { releaseNumber, approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }], requestId: demoRequest, actor: demoActor });
    await publishRelease({ catalogue: ports.catalogue, submissions: store, releaseFiles: ports.release.releaseFiles, now: p.now }, { releaseNumber, requestId: demoRequest });
  }

  const published = await publishPublicCatalogue(ports.publish);

  let reviewSubmissionId: string;
  {
    const p = portsFor(liveResult.key);
    const taskId = await task(p, liveResult, daysBefore(p.now(), 20));
    const opened = await open(p, taskId, liveResult);
    reviewSubmissionId = opened.submission.submissionId;
    await upload(p, reviewSubmissionId);
    await completeVersion({ actor: submitter, submissionId: reviewSubmissionId, n: 1, requestId: demoRequest }, p);
  }

  let returnedSubmissionId: string;
  {
    const p = portsFor(returnedResult.key);
    const taskId = await task(p, returnedResult, daysBefore(p.now(), 18));
    const opened = await open(p, taskId, returnedResult);
    returnedSubmissionId = opened.submission.submissionId;
    await upload(p, returnedSubmissionId, await ports.packageFiles('wgs84-crs'));
    await completeVersion({ actor: submitter, submissionId: returnedSubmissionId, n: 1, requestId: demoRequest }, p);
  }

  const p = portsFor(pendingTask.key);
  const pendingTaskId = await task(p, pendingTask, daysBefore(p.now(), 10));

  // R7.1: the technical unit countersigns before 陈静 decides (郭涛 gets the countersign task's link).
  let countersignSubmissionId: string;
  {
    const pc = portsFor(countersignResult.key);
    const taskId = await task(pc, countersignResult, daysBefore(pc.now(), 16), [countersignUnit]);
    const opened = await open(pc, taskId, countersignResult);
    countersignSubmissionId = opened.submission.submissionId;
    await upload(pc, countersignSubmissionId);
    await completeVersion({ actor: submitter, submissionId: countersignSubmissionId, n: 1, requestId: demoRequest }, pc);
  }

  return { created: true, resultNumbers, ...(releaseNumber ? { releaseNumber } : {}), published, reviewSubmissionId, returnedSubmissionId, pendingTaskId, countersignSubmissionId };
}

/** A fixture package (test/fixtures/packages/<fixture>): a few KB. */
export async function fixturePackage(projectRoot: string, fixture: DemoFixture): Promise<DemoPackage> {
  const dir = join(projectRoot, 'test', 'fixtures', 'packages', fixture);
  const files = (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: ManifestFile[] }).files;
  const bytes = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (path !== 'manifest.json') bytes.set(path, await readFile(join(dir, path)));
  }
  return { files, bytes };
}

/**
 * The adapters the handlers use, from the environment the local cloud sets
 * (endpoints, table and bucket names) — call only after startLocalCloud has
 * set it.
 */
export async function demoPortsFromEnv(projectRoot: string): Promise<DemoPorts> {
  const [submission, catalogue, identity, calendarStore, calendarLoad, uploads, sfn, mailer, custody, publicFiles, config, composition, root, release, releaseFiles] = await Promise.all([
    import('#adapters/dynamo-submission.ts'),
    import('#adapters/dynamo-catalogue.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/s3-uploads.ts'),
    import('#adapters/sfn.ts'),
    import('#adapters/mailer.ts'),
    import('#functions/transfer/copy-into-custody.ts'),
    import('#adapters/s3-public-catalogue.ts'),
    import('#adapters/config.ts'),
    import('#runtime/compose.ts'),
    import('#infra/manifest.ts'),
    import('#adapters/dynamo-release.ts'),
    import('#adapters/s3-release-files.ts'),
  ]);
  const store = submission.submissionStoreFromEnv();
  const cat = catalogue.catalogueStoreFromEnv();
  const orgs = identity.identityRepositoryFromEnv();
  const objects = uploads.packageObjectStoreFromEnv();
  const calendar = () => calendarLoad.calendarFromStore(calendarStore.holidayTableStoreFromEnv());
  const now = () => new Date();
  return {
    submission: { store, identity: orgs, calendar, objects, workflow: sfn.workflowFromEnv(), now, newId: randomUUID },
    transfer: {
      store,
      objects,
      catalogue: cat,
      identity: orgs,
      mailer: mailer.mailerFromEnv(),
      calendar,
      now,
      appBaseUrl: config.requireEnv(config.envNames.appBaseUrl),
    },
    copy: custody.copyPortsOf(composition.compose(custody.copyUses, root.functionByName('CopyIntoCustody'))),
    catalogue: cat,
    release: { releases: release.releaseStoreFromEnv(), releaseFiles: releaseFiles.releaseFilesFromEnv() },
    publish: {
      catalogue: cat,
      orgName: async (code) => (await orgs.getOrganisation(code))?.name,
      files: publicFiles.publicCatalogueFilesFromEnv(),
      now,
    },
    packageFiles: (fixture) => fixturePackage(projectRoot, fixture),
    send: async (target, instruction, bytes) => {
      if (!instruction.url) throw new Error(`演示上传：${instruction.path} 没有上传地址`);
      // fetch sets Content-Length from the body itself and refuses it as a header.
      const { 'content-length': _length, ...headers } = instruction.headers ?? {};
      const res = await fetch(instruction.url, { method: instruction.method ?? 'PUT', headers, body: bytes });
      if (!res.ok) throw new Error(`演示上传 ${target.submissionId} v${target.n} ${instruction.path} 失败：HTTP ${res.status}`);
      await res.arrayBuffer();
    },
  };
}

/**
 * The local cloud's hook: writes the demo with the adapters and reports in
 * the cloud's log. Never throws — a failed demo leaves a working (empty)
 * cloud and says why.
 */
export async function runDemo(projectRoot: string, log: (line: string) => void): Promise<DemoSummary | undefined> {
  const started = Date.now();
  try {
    const ports = await demoPortsFromEnv(projectRoot);
    const summary = await writeDemoData(ports);
    // Issue 14: a month of supervision history and last month's bulletin for 广东省 (emailed to 周红).
    const { writeSupervisionDemo } = await import('./demo-supervision.ts');
    const supervision = await writeSupervisionDemo({ identity: ports.submission.identity as never, calendar: ports.submission.calendar, mailer: ports.transfer.mailer, now: ports.submission.now, resultNumbers: summary.resultNumbers });
    if (supervision.emailed.length > 0) log(`监督通报已生成 (bulletin issued): ${supervision.bulletin}，已发送给 ${supervision.emailed.join('、')}`);
    if (summary.created && summary.resultNumbers.length >= 2) {
      // Issue 16: 罗欣's applications — one granted and downloaded, one waiting at 陈静, one not approved.
      const [{ writeSharingDemo }, { sharingStoreFromEnv }, { sharingLinksFromEnv }, { custodyStoreFromEnv }, { workflowFromEnv }, { documentStoreFromEnv }, { publicApplicationStoreFromEnv }] = await Promise.all([
        import('./demo-sharing.ts'),
        import('#adapters/dynamo-sharing.ts'),
        import('#adapters/s3-sharing-links.ts'),
        import('#adapters/s3-custody.ts'),
        import('#adapters/sfn.ts'),
        import('#adapters/s3-documents.ts'),
        import('#adapters/dynamo-public-applications.ts'),
      ]);
      const shared = await writeSharingDemo(
        {
          catalogue: ports.catalogue,
          identity: ports.submission.identity,
          sharing: sharingStoreFromEnv(),
          custody: custodyStoreFromEnv(),
          documents: documentStoreFromEnv(),
          links: sharingLinksFromEnv(),
          mailer: ports.transfer.mailer,
          workflow: workflowFromEnv(),
          calendar: ports.submission.calendar,
          now: ports.submission.now,
          appBaseUrl: ports.transfer.appBaseUrl,
          publicApplications: publicApplicationStoreFromEnv(),
        },
        { granted: summary.resultNumbers[0]!, waiting: summary.resultNumbers[1]! },
      );
      log(`共享演示已就绪 (sharing demo): 罗欣的共享授权 ${shared.grantId}（已签署、已下载 1 次），待陈静审核的离线申请 ${shared.waitingApplicationId}，未获同意的申请 ${shared.rejectedApplicationId}，待答复的公众政府信息公开申请 ${shared.publicApplicationId ?? '—'}`);
      // Issue 17 (R19.2 R19.3): 罗欣's confirmed 重大 problem on her granted result; its correction v2 under verification.
      const [{ writeCorrectionDemo }, { DynamoProblemStore, CustodyResultFiles }, { DynamoRegistryAccess }, { custodyRecordsFromEnv }, config, { sharingReaderFromEnv }, { heldGrants }] = await Promise.all([
        import('./demo-correction.ts'),
        import('#adapters/dynamo-feedback.ts'),
        import('#adapters/dynamo-submission.ts'),
        import('#adapters/dynamo-custody-records.ts'),
        import('#adapters/config.ts'),
        import('#adapters/dynamo-sharing-read.ts'),
        import('#shared/feedback/problems.ts'),
      ]);
      const corrected = await writeCorrectionDemo(
        {
          submission: ports.submission,
          catalogue: ports.catalogue,
          problems: new DynamoProblemStore(new DynamoRegistryAccess(config.requireEnv(config.envNames.registryTable))),
          files: new CustodyResultFiles(custodyRecordsFromEnv()),
          grants: heldGrants(sharingReaderFromEnv()),
          identity: ports.submission.identity,
          mailer: ports.transfer.mailer,
          calendar: ports.submission.calendar,
          now: ports.submission.now,
          appBaseUrl: ports.transfer.appBaseUrl,
          packageFiles: () => ports.packageFiles('valid'),
          send: ports.send,
        },
        summary.resultNumbers[0]!,
      );
      log(`质量问题演示已就绪 (quality demo): 罗欣报告的重大质量问题 ${corrected.problemId} 已确认、已责令改正，更正版本（汇交 ${corrected.submissionId} 第 ${corrected.n} 版）正在核验`);
    }
    // Issue 15: a confidentiality review waiting for 刘洋, a national wetland release waiting on its two approvers.
    const publication = await writePublicationDemo(await publicationDemoPorts(ports));
    if (publication.created) log(`发布审批演示已就绪 (publication demo): ${publication.requests.join('、')}`);
    if (summary.created) {
      // What GET /catalogue?region=440000 finds for each demo clearance, counted now that every part is written.
      const seen = await Promise.all((['secret', 'internal', 'public'] as const).map((c) => catalogueCount(ports.catalogue, c, '440000')));
      log(
        `演示数据已就绪 (demo data ready, ${((Date.now() - started) / 1000).toFixed(1)} s): 成果目录 ${summary.resultNumbers.length} 条，` +
          `公开目录 ${summary.published?.entries ?? 0} 条${summary.releaseNumber ? `（发布版本 ${summary.releaseNumber} 可在公开目录下载）` : ''}；两份汇交正在核验（完成后陈静收到审核任务、李娜收到退回通知）；` +
          `目录检索 region=440000：张伟（秘密）见 ${seen[0]} 条，李娜（内部）${seen[1]} 条，罗欣（公开）${seen[2]} 条`,
      );
    }
    return summary;
  } catch (error) {
    log(`⚠ 演示数据写入失败 (demo data failed): ${error instanceof Error ? error.message : String(error)}；本地云照常可用，npm start -- --reset 可重试`);
    return undefined;
  }
}

/** How many catalogue entries a reader of `clearance` finds in `regionCode` (GET /catalogue?region=…), page by page. */
export async function catalogueCount(catalogue: Pick<CatalogueStore, 'search'>, clearance: Classification, regionCode: string): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await catalogue.search({ classifications: visibleClassifications(clearance), regionCode }, { limit: 100, ...(cursor ? { cursor } : {}) });
    n += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return n;
}
