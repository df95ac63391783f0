import { describe, expect, it } from 'vitest';
import type { PublicFile } from '#shared/catalogue/public/build.ts';
import type { PublicCatalogueFiles } from '#shared/catalogue/public/publish.ts';
import { visibleClassifications } from '#shared/catalogue/catalogue.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { projectRoot } from '#infra/local/paths.ts';
import { classifiedResult, demoActor, demoMark, demoMarkerTaskId, fixturePackage, historicResults, writeDemoData, type DemoPorts } from '#infra/local/demo.ts';
import { demoBannerLines } from '#infra/local/demo-banner.ts';
import { startTransfer } from '#shared/transfer/transfer.ts';
import { transferWorld, type TransferWorld } from './transfer-fakes.ts';

class MemoryPublicFiles implements PublicCatalogueFiles {
  readonly files = new Map<string, PublicFile>();
  async list() {
    return [...this.files.keys()].map((key) => ({ key }));
  }
  async put(key: string, file: PublicFile) {
    this.files.set(key, file);
  }
  async delete(keys: readonly string[]) {
    for (const k of keys) this.files.delete(k);
  }
}

function demoPorts(t: TransferWorld, files: MemoryPublicFiles): DemoPorts {
  return {
    submission: t.world.ports,
    transfer: t.ports,
    copy: t.copy,
    catalogue: t.cat.store,
    publish: {
      catalogue: t.cat.store,
      orgName: async (code) => (await t.world.identity.getOrganisation(code))?.name,
      files,
      now: () => t.world.now,
    },
    packageFiles: (fixture) => fixturePackage(projectRoot, fixture),
    send: async (target, instruction, bytes) => {
      const key = objectKey(target.submissionId, target.n, instruction.path);
      t.world.objects.putObject(key, bytes.byteLength);
      t.uploads.objects.set(key, Buffer.from(bytes));
    },
  };
}

async function written() {
  const t = await transferWorld();
  const files = new MemoryPublicFiles();
  const ports = demoPorts(t, files);
  const summary = await writeDemoData(ports);
  return { t, files, ports, summary };
}

describe('issue-4 R9.1 R9.2 R9.3 R5.1 demo data of the local cloud', () => {
  it('catalogues the demo results under 440000-CUS with gap-free numbers, every classification and a real extent', async () => {
    const { t, summary } = await written();

    const entries = (await t.cat.store.search({ classifications: ['public', 'internal', 'secret'] }, { limit: 100 })).items;

    expect(summary.created).toBe(true);
    expect(entries).toHaveLength(historicResults.length + 1);
    expect(entries.map((e) => e.sequence).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(entries.map((e) => e.custodian))).toEqual(new Set(['440000-CUS']));
    expect(new Set(entries.map((e) => e.classification))).toEqual(new Set(['public', 'internal', 'secret']));
    expect(new Set(entries.map((e) => e.spatialScope.regionCode))).toEqual(new Set(['440000', '440100', '440117']));
    expect(entries.every((e) => e.content.startsWith(demoMark) && e.spatialScope.bbox?.length === 4)).toBe(true);
  });

  it('keeps the classified result offline: recorded and catalogued, nothing uploaded', async () => {
    const { t } = await written();

    const entries = (await t.cat.store.search({ classifications: ['secret'] }, { limit: 10 })).items;
    const secret = entries[0];
    const submission = secret ? await t.world.store.getSubmission(secret.submissionId) : undefined;

    expect(entries.map((e) => e.name)).toEqual([classifiedResult.name]);
    expect(submission?.status).toBe('heldOffline');
    expect([...t.world.objects.objects.keys()].some((k) => k.includes(secret?.submissionId ?? '-'))).toBe(false);
  });

  it('publishes only the public entries to the public catalogue', async () => {
    const { files, summary } = await written();

    const index = files.files.get('search-index.json')?.body ?? '';
    const publicNames = historicResults.filter((r) => r.classification === 'public').map((r) => r.name);
    const otherNames = [...historicResults.filter((r) => r.classification !== 'public').map((r) => r.name), classifiedResult.name];

    expect(summary.published?.entries).toBe(publicNames.length);
    for (const name of publicNames) expect(index).toContain(name);
    for (const name of otherNames) expect(index).not.toContain(name);
  });

  it('R7.1 starts the real verification of three uploaded submissions (one whose task names the technical unit to countersign) and leaves a task with its R6.1 clock running', async () => {
    const { t, summary } = await written();

    const review = await t.world.store.getSubmission(summary.reviewSubmissionId ?? '-');
    const returned = await t.world.store.getSubmission(summary.returnedSubmissionId ?? '-');
    const pending = await t.world.store.getTask(summary.pendingTaskId ?? '-');

    const countersigned = await t.world.store.getSubmission(summary.countersignSubmissionId ?? '-');
    expect(t.world.workflow.starts.map((s) => s.name)).toEqual([`${summary.reviewSubmissionId}-v1`, `${summary.returnedSubmissionId}-v1`, `${summary.countersignSubmissionId}-v1`]);
    expect([review?.status, returned?.status, countersigned?.status]).toEqual(['verifying', 'verifying', 'verifying']);
    expect(await t.world.store.getTask(countersigned?.taskId ?? '-')).toMatchObject({ technicalUnits: ['440000-TEC'], countersignOrgs: ['440000-TEC'] });
    expect(pending?.submissionDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await t.world.store.listSubmissionsOfTask(summary.pendingTaskId ?? '-')).toEqual([]);
  });

  it('records the historic import in the audit chain under system:demo', async () => {
    const { t } = await written();

    const records = t.world.identity.auditRecords();
    const byDemo = records.filter((r) => r['actor'] === demoActor).map((r) => r['action']);

    expect(byDemo.filter((a) => a === 'submission.version.seal')).toHaveLength(historicResults.length);
    expect(byDemo.filter((a) => a === 'submission.version.verify')).toHaveLength(historicResults.length);
    expect(byDemo).toContain('catalogue.entry.register');
  });

  it('the banner names the demo readers of the catalogue and counts none (the counts come with the 就绪 line, from the catalogue itself)', () => {
    const lines = demoBannerLines({ api: 'http://127.0.0.1:4100', inbox: 'http://127.0.0.1:4105' }).join('\n');

    expect(lines).toContain('张伟 zhang.wei（秘密）、李娜 li.na（内部）、罗欣 luo.xin（公开）按密级各见不同条目');
    expect(lines).not.toMatch(/见 \d+ 条/);
    expect(lines).toContain('http://127.0.0.1:4100/public/');
  });

  it('issue-8 R8.1: a historic result carries what the real transfer writes (transferRequested, state received) and cannot be transferred again', async () => {
    const { t } = await written();
    const entries = (await t.cat.store.search({ classifications: ['public', 'internal'] }, { limit: 100 })).items;
    const id = entries[0]?.submissionId ?? '-';
    const startsBefore = t.world.workflow.starts.length;

    const again = await startTransfer({ store: t.world.store, workflow: t.world.workflow, now: () => t.world.now }, { actor: await t.world.user('chen.jing'), submissionId: id, requestId: 'again' });

    expect(again.started).toBe(false);
    expect(t.world.workflow.starts.length).toBe(startsBefore);
    expect(await t.world.store.getSubmission(id)).toMatchObject({ transferState: 'received', transferAttempt: 1 });
    const types = (await t.world.store.listEvents(id)).map((e) => e.type);
    expect(types.filter((x) => x === 'transferRequested')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['transferRequested', 'numberAssigned', 'custodyCopied', 'custodyReceived']));
  });

  it('writes nothing on a second run', async () => {
    const { t, ports } = await written();
    const before = t.world.snapshot();

    const again = await writeDemoData(ports);

    expect(again.created).toBe(false);
    expect(t.world.snapshot()).toEqual(before);
    expect(await t.world.store.getTask(demoMarkerTaskId)).toBeDefined();
  });
});
