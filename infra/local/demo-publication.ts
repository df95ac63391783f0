/**
 * The publication demo (issue 15), written after the main demo: 刘洋 has a confidentiality review (保密审查) waiting
 * for a 广东省 land-cover release, and a national wetland release (organised by 自然资源部) waits on its two
 * approvers, 赵敏 (自然资源部) and 吴静 (国家林业和草原局), its confidentiality review already passed by 赵敏.
 *
 * Each source result and its desensitised release package are imported as verified by `system:demo` (as the main
 * demo's historic results are), catalogued by the custodian, the release registered and its publication requested
 * through the domain functions; the Publication state machine then runs for real (emails with task links). Ids are
 * deterministic: a second run finds its first task and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { SubmissionPorts } from '#shared/ports/submission.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { UploadInstruction } from '#shared/submission/uploads.ts';
import type { DemoPackage } from './demo.ts';
import { demoActor, demoMark, demoRegions, type DemoResult } from './demo-data.ts';

/** The two demo publications: a source result (内部) and its 公开 release package, per survey. */
export const publicationDemo = {
  landCover: {
    key: 'pub-gd-landcover-2026',
    organiser: 'chen.jing',
    theme: 'landCover',
    region: '440000',
    name: '2026年度广东省地表覆盖监测成果',
    content: '全省地表覆盖分类数据库（十大类）、变化图斑与监测报告',
    format: 'GeoPackage、GeoTIFF、PDF、XML',
    timePoint: '2026-06-30',
    classification: 'internal',
    sharingMode: 'online',
  },
  wetland: {
    key: 'pub-cn-wetland-2026',
    organiser: 'zhao.min',
    theme: 'wetland',
    region: '440000',
    name: '2026年度全国湿地资源调查广东省成果',
    content: '广东省湿地类型、面积与分布数据库，湿地变化图斑与调查报告（全国湿地资源调查的省级部分）',
    format: 'GeoPackage、Shapefile、PDF、XML',
    timePoint: '2026-06-30',
    classification: 'internal',
    sharingMode: 'conditional',
  },
} as const satisfies Record<string, DemoResult>;

/** The name of a demo release package (the same survey, desensitised). */
export const releasePackageName = (r: DemoResult) => `${r.name}（公开版）`;

const keys = Object.values(publicationDemo).map((r) => r.key);
/** Fixed UUIDs (version 4 layout) per item and call, apart from the main demo's (…-8000-…). */
export function publicationDemoId(key: string, call: number): string {
  const item = keys.indexOf(key as (typeof keys)[number]);
  if (item < 0) throw new Error(`unknown publication demo item ${key}`);
  return `d3e00000-0000-4000-8001-${String(item + 1).padStart(6, '0')}${String(call).padStart(6, '0')}`;
}

export interface PublicationDemoPorts {
  readonly submission: SubmissionPorts;
  readonly catalogue: CatalogueStore;
  readonly packageFiles: () => Promise<DemoPackage>;
  readonly send: (target: { submissionId: string; n: number }, instruction: UploadInstruction, bytes: Uint8Array) => Promise<void>;
  /** Decides an open human task of a kind about a subject as the user (the demo's shortcut for a passed review); waits for it to open. */
  readonly decide: (kind: string, subject: Record<string, string | number>, userId: string) => Promise<void>;
}

export interface PublicationDemoSummary {
  readonly created: boolean;
  readonly requests: string[];
}

const desensitisation = (by: string) => ({
  changes: [
    { action: 'shifted' as const, target: 'coordinates' as const, description: '全部要素坐标按国家规定的非线性偏移处理' },
    { action: 'generalised' as const, target: 'precision' as const, description: '图斑面积精度概化至 0.1 公顷' },
    { action: 'removed' as const, target: 'attributes' as const, description: '删除调查人员姓名与联系方式字段' },
  ],
  method: '坐标偏移插件 2.1，属性字段删除脚本',
  rule: '公开地图内容表示规定',
  basisDocument: '自然资办发〔2026〕16 号',
  performedBy: by,
  performedOn: '2026-09-20',
});

export async function writePublicationDemo(ports: PublicationDemoPorts): Promise<PublicationDemoSummary> {
  const store = ports.submission.store;
  if (await store.getTask(publicationDemoId(publicationDemo.landCover.key, 1))) return { created: false, requests: [] };
  const [{ registerCatalogueEntry }, { markVerified }, { openSubmission }, { recordCompletion, registerSurveyTask }, uploads, events, deadlines, release, request, authority, registry, sfn] = await Promise.all([
    import('#shared/catalogue/catalogue.ts'),
    import('#shared/submission/outcomes.ts'),
    import('#shared/submission/submissions.ts'),
    import('#shared/submission/tasks.ts'),
    import('#shared/submission/uploads.ts'),
    import('#shared/submission/events.ts'),
    import('#shared/submission/deadlines.ts'),
    import('#shared/publication/release.ts'),
    import('#shared/publication/request.ts'),
    import('#adapters/dynamo-authority.ts'),
    import('#adapters/dynamo-publication.ts'),
    import('#adapters/sfn.ts'),
  ]);
  const { DynamoReleaseStore } = await import('#adapters/dynamo-release.ts');
  const { DynamoCatalogueTableAccess } = await import('#adapters/dynamo-catalogue.ts');
  const { requireEnv, envNames } = await import('#adapters/config.ts');
  const user = async (userId: string): Promise<Principal> => {
    const u = await ports.submission.identity.getUser(userId);
    if (!u) throw new Error(`演示用户 ${userId} 不存在（seed 未写入？）`);
    return u;
  };
  const submitter = await user('li.na');
  const pkg = await ports.packageFiles();
  const releases = new DynamoReleaseStore(new DynamoCatalogueTableAccess(requireEnv(envNames.registryTable)));
  const publicationPorts = {
    catalogue: ports.catalogue,
    identity: ports.submission.identity,
    authorities: authority.authorityTableStoreFromEnv(),
    releases,
    submissions: store,
    publications: registry.publicationRequestStoreFromEnv(),
    workflow: sfn.workflowFromEnv(),
    calendar: ports.submission.calendar,
    now: ports.submission.now,
    newId: () => randomBytes(6).toString('hex'),
  };

  /** One submission of the task, uploaded, sealed and verified by system:demo (as the main demo's historic results). */
  const verified = async (p: SubmissionPorts, taskId: string, r: DemoResult, name: string, classification: DemoResult['classification']) => {
    const opened = await openSubmission(
      {
        actor: submitter,
        taskId,
        catalogue: {
          name,
          content: `${demoMark}${r.content}`,
          format: r.format,
          spatialScope: { regionCode: r.region, bbox: [...demoRegions[r.region].bbox] as [number, number, number, number] },
          timePoint: r.timePoint,
          classification,
          sharingMode: r.sharingMode,
        },
        files: pkg.files,
        requestId: 'demo',
      },
      p,
    );
    const submission = opened.submission;
    const id = submission.submissionId;
    const urls = await uploads.issueUploadUrls({ actor: submitter, submissionId: id, n: 1, requestId: 'demo' }, p);
    for (const f of urls.files) {
      const bytes = pkg.bytes.get(f.path);
      if (f.status === 'pending' && bytes) await ports.send({ submissionId: id, n: 1 }, f, bytes);
    }
    const at = p.now().toISOString();
    const version = submission.versions[0];
    await store.sealVersion(
      {
        submission,
        n: 1,
        at,
        by: demoActor,
        executionName: uploads.executionNameOf(id, 1),
        events: [events.timelineEvent(id, 'versionSealed', at, demoActor, { fileCount: version?.fileCount, totalBytes: version?.totalBytes, demo: true }, 1)],
      },
      events.submissionEntry(demoActor, submission, 'submission.version.seal', 'demo', { demo: true, import: 'publication demo, verified before the demo' }, 1),
    );
    await markVerified(p, { submissionId: id, n: 1, decidedBy: demoActor, requestId: 'demo' });
    return id;
  };

  const requests: string[] = [];
  for (const r of Object.values(publicationDemo)) {
    let call = 0;
    const p: SubmissionPorts = { ...ports.submission, newId: () => publicationDemoId(r.key, ++call) };
    const task = await registerSurveyTask(
      {
        actor: await user(r.organiser),
        input: { name: r.name.replace(/成果$/, ''), theme: r.theme, regionCode: r.region, implementerOrg: submitter.orgCode, custodianOrg: '440000-CUS', description: `${demoMark}本地云首次启动时自动生成的演示任务（发布审批）` },
        requestId: 'demo',
      },
      p,
    );
    await recordCompletion({ actor: submitter, taskId: task.taskId, completionDate: deadlines.chinaDay(new Date(p.now().getTime() - 40 * 86_400_000)), requestId: 'demo' }, p);
    const sourceId = await verified(p, task.taskId, r, r.name, r.classification);
    const { entry } = await registerCatalogueEntry({ catalogue: ports.catalogue, submissions: store, now: p.now }, { submissionId: sourceId, actor: { system: 'demo', orgCode: '440000-CUS' }, requestId: 'demo' });
    const packageId = await verified(p, task.taskId, r, releasePackageName(r), 'public');
    const preparer = await user(r.organiser === 'zhao.min' ? 'zhao.min' : 'liu.yang');
    const made = await release.createRelease(
      { catalogue: ports.catalogue, submissions: store, identity: ports.submission.identity, releases, now: p.now },
      { actor: preparer, resultNumber: entry.resultNumber, body: { submissionId: packageId, classification: 'public', desensitisation: desensitisation(r.organiser === 'zhao.min' ? '国家基础地理信息中心' : '广东省国土资源测绘院') }, requestId: 'demo' },
    );
    const requested = await request.requestPublication(publicationPorts, { actor: preparer, body: { releaseNumber: made.release.releaseNumber }, requestId: 'demo' });
    requests.push(requested.requestId);
    // The national one's confidentiality review has passed (赵敏, from the task the machine opened): it waits on the two approvers.
    if (r.organiser === 'zhao.min') await ports.decide('publicationReview', { requestId: requested.requestId, round: 1 }, 'zhao.min');
  }
  return { created: true, requests };
}
