import { describe, expect, it } from 'vitest';
import { alertProblems, checkBatch, listResults, manifestsPerBatch, writeReport, type BatchOutcome } from '#shared/custody/integrity.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { encodeManifest, type CustodyManifest } from '#shared/custody/manifest.ts';
import { restoreObject } from '#shared/custody/restore.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { User } from '#shared/schemas/identity.ts';
import { FakeCustodyStore, FakeDocuments, FakeMailer, FakeRuns, fakeIdentity, sha } from './custody-fakes.ts';

const run = { date: '2026-11-08', executionName: 'weekly-1' };

/** A result of two files in custody (and, when given, the backup), with its manifest. */
function putResult(stores: FakeCustodyStore[], resultNumber: string, files: Record<string, string>): CustodyManifest {
  const manifest: CustodyManifest = {
    resultNumber,
    n: 1,
    submissionId: 'sub-1',
    custodianOrg: '440000-CUS',
    organiserOrg: '440000-NR',
    copiedAt: '2026-11-01T00:00:00Z',
    files: Object.entries(files).map(([path, body]) => ({ path, key: custodyObjectKey(resultNumber, 1, path), size: Buffer.byteLength(body), sha256: sha(body) })),
  };
  for (const s of stores) {
    for (const f of manifest.files) s.objects.set(f.key, Buffer.from(files[f.path] ?? ''));
    s.objects.set(custodyManifestKey(resultNumber, 1), Buffer.from(encodeManifest(manifest)));
  }
  return manifest;
}

async function audit(custody: FakeCustodyStore, documents: FakeDocuments, trustStoredChecksums = false): Promise<BatchOutcome[]> {
  const listed = await listResults({ custody, documents }, run);
  const out: BatchOutcome[] = [];
  for (const b of listed.batches) out.push(await checkBatch({ custody, documents, trustStoredChecksums }, run, b));
  return out;
}

const A = '440000-CUS-2026-GT-000001';
const B = '440000-CUS-2026-GT-000002';

describe('R10.1 integrity audit: every custody object against its manifest', () => {
  it('pages through the manifests and groups them into batches kept in the documents bucket', async () => {
    const custody = new FakeCustodyStore({ pageSize: 7 });
    const documents = new FakeDocuments();
    for (let i = 1; i <= manifestsPerBatch + 3; i += 1) putResult([custody], `440000-CUS-2026-GT-${String(i).padStart(6, '0')}`, { 'a.txt': `a${i}` });

    const listed = await listResults({ custody, documents }, run);

    expect(listed.manifests).toBe(manifestsPerBatch + 3);
    expect(listed.batches.map((b) => b.manifests)).toEqual([manifestsPerBatch, 3]);
    expect(documents.objects.has(listed.batches[1]?.key ?? '')).toBe(true);
  });

  it('passes an intact custody and streams every object when the store has no trusted checksum', async () => {
    const custody = new FakeCustodyStore();
    const documents = new FakeDocuments();
    putResult([custody], A, { 'a.txt': 'alpha', 'b.txt': 'beta' });

    const [batch] = await audit(custody, documents);

    expect(batch).toMatchObject({ objects: 2, ok: 2, missing: 0, mismatched: 0, streamed: 2, byStoredChecksum: 0, bytesStreamed: 9 });
  });

  it('uses the store’s verified SHA-256 without reading bytes where it is trusted', async () => {
    const custody = new FakeCustodyStore({ storedChecksums: true });
    const documents = new FakeDocuments();
    putResult([custody], A, { 'a.txt': 'alpha' });

    const [batch] = await audit(custody, documents, true);

    expect(batch).toMatchObject({ ok: 1, byStoredChecksum: 1, streamed: 0, bytesStreamed: 0 });
  });

  it('names a missing object and a changed one (same size, other bytes), and reports only those', async () => {
    const custody = new FakeCustodyStore();
    const documents = new FakeDocuments();
    putResult([custody], A, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    putResult([custody], B, { 'c.txt': 'gamma' });
    custody.tamper(custodyObjectKey(A, 1, 'b.txt'), 'BETA');
    custody.remove(custodyObjectKey(B, 1, 'c.txt'));
    const runs = new FakeRuns();

    const batches = await audit(custody, documents);
    const report = await writeReport({ documents, runs, now: () => new Date('2026-11-08T19:00:00Z') }, { ...run, manifests: 2, batches: batches.length, requestId: 'r1' });

    expect(report).toMatchObject({ passed: false, problems: 2, reportKey: 'integrity/2026-11-08/weekly-1.json' });
    const stored = (await documents.getJson(report.reportKey)) as { problems: Array<{ key: string; status: string; actualSha256?: string }>; ok: number };
    expect(stored.ok).toBe(1);
    expect(stored.problems.map((p) => [p.key, p.status]).sort()).toEqual([
      [custodyObjectKey(A, 1, 'b.txt'), 'mismatch'],
      [custodyObjectKey(B, 1, 'c.txt'), 'missing'],
    ]);
    expect(stored.problems.find((p) => p.status === 'mismatch')?.actualSha256).toBe(sha('BETA'));
    expect(await documents.getText(report.htmlKey)).toContain('未通过（2 个对象异常）');
    expect(runs.runs[0]?.run).toMatchObject({ passed: false, problems: 2, objects: 3 });
    expect(runs.runs[0]?.entry).toMatchObject({ action: 'custody.integrity.audit', outcome: 'failed', actor: 'system:WriteIntegrityReport' });
  });

  it('emails the custodian and the organiser’s reviewers in Chinese, naming each bad object and the restore command', async () => {
    const custody = new FakeCustodyStore();
    const documents = new FakeDocuments();
    putResult([custody], A, { 'a.txt': 'alpha' });
    custody.tamper(custodyObjectKey(A, 1, 'a.txt'), 'ALPHA');
    const report = await writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, manifests: 1, batches: (await audit(custody, documents)).length, requestId: 'r' });
    const users: User[] = [
      { userId: 'zhang.wei', name: '张伟', email: 'zhang.wei@example.gov.cn', orgCode: '440000-CUS', roles: ['custodian'], clearance: 'secret' },
      { userId: 'chen.jing', name: '陈静', email: 'chen.jing@example.gov.cn', orgCode: '440000-NR', roles: ['reviewer'], clearance: 'secret' },
      { userId: 'li.na', name: '李娜', email: 'li.na@example.gov.cn', orgCode: '440000-IMP', roles: ['submitter'], clearance: 'internal' },
    ];
    const mailer = new FakeMailer();

    const out = await alertProblems({ documents, identity: fakeIdentity(users), mailer }, { reportKey: report.reportKey });

    expect(out.recipients).toEqual(['chen.jing@example.gov.cn', 'zhang.wei@example.gov.cn']);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.subject).toBe('【保管完整性告警】1 个保管对象缺失或校验不符');
    expect(mailer.sent[0]?.text).toContain(custodyObjectKey(A, 1, 'a.txt'));
    expect(mailer.sent[0]?.text).toContain(`npm run custody:restore -- --all-damaged ${report.reportKey}`);
  });
});

describe('R10.1 integrity audit: a damaged manifest', () => {
  it('reports an unreadable manifest and alerts the custodian its unified number names', async () => {
    const custody = new FakeCustodyStore();
    const documents = new FakeDocuments();
    putResult([custody], A, { 'a.txt': 'alpha' });
    custody.tamper(custodyManifestKey(A, 1), '{"truncated');
    const mailer = new FakeMailer();
    const users: User[] = [{ userId: 'zhang.wei', name: '张伟', email: 'zhang.wei@example.gov.cn', orgCode: '440000-CUS', roles: ['custodian'], clearance: 'secret' }];

    const report = await writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, manifests: 1, batches: (await audit(custody, documents)).length, requestId: 'r' });
    await alertProblems({ documents, identity: fakeIdentity(users), mailer }, { reportKey: report.reportKey });

    const stored = (await documents.getJson(report.reportKey)) as { problems: Array<{ key: string; status: string; custodianOrg: string }> };
    expect(stored.problems).toEqual([expect.objectContaining({ key: custodyManifestKey(A, 1), status: 'manifestUnreadable', custodianOrg: '440000-CUS' })]);
    expect(mailer.sent[0]?.to).toEqual(['zhang.wei@example.gov.cn']);
    expect(mailer.sent[0]?.text).toContain('保管清单无法读取');
  });
});

describe('R10.1 restore from the backup copy', () => {
  function setup() {
    const custody = new FakeCustodyStore();
    const backup = new FakeCustodyStore();
    putResult([custody, backup], A, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    const audited: AuditEntry[] = [];
    const ports = { custody, backup, repair: custody, audit: async (e: AuditEntry) => void audited.push(e) };
    return { custody, backup, ports, audited };
  }

  it('puts the verified backup bytes back over a damaged object and records who did it', async () => {
    const { custody, ports, audited } = setup();
    const key = custodyObjectKey(A, 1, 'b.txt');
    custody.tamper(key, 'BETA');

    const out = await restoreObject(ports, { key, actor: 'wang.ops', requestId: 'r' });

    expect(out).toMatchObject({ key, before: 'mismatch', sha256: sha('beta') });
    expect(custody.objects.get(key)?.toString()).toBe('beta');
    expect(audited).toEqual([expect.objectContaining({ actor: 'wang.ops', action: 'custody.object.restore', target: `CUSTODY#${key}`, orgCode: '440000-CUS' })]);
  });

  it('restores a missing object', async () => {
    const { custody, ports } = setup();
    const key = custodyObjectKey(A, 1, 'a.txt');
    custody.remove(key);

    const out = await restoreObject(ports, { key, actor: 'system:restore', requestId: 'r' });

    expect(out.before).toBe('missing');
    expect(custody.objects.get(key)?.toString()).toBe('alpha');
  });

  it('refuses to touch an intact object: restore is no overwrite path', async () => {
    const { custody, ports, audited } = setup();
    const key = custodyObjectKey(A, 1, 'a.txt');

    await expect(restoreObject(ports, { key, actor: 'x', requestId: 'r' })).rejects.toMatchObject({ code: 'CUSTODY_OBJECT_INTACT' });

    expect(custody.objects.get(key)?.toString()).toBe('alpha');
    expect(audited).toHaveLength(0);
  });

  it('refuses when the backup copy does not match the manifest, and writes nothing', async () => {
    const { custody, backup, ports } = setup();
    const key = custodyObjectKey(A, 1, 'a.txt');
    custody.tamper(key, 'ALPHA');
    backup.tamper(key, 'alphx');

    await expect(restoreObject(ports, { key, actor: 'x', requestId: 'r' })).rejects.toMatchObject({ code: 'BACKUP_COPY_DAMAGED' });

    expect(custody.objects.get(key)?.toString()).toBe('ALPHA');
  });
});
