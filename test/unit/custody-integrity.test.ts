import { describe, expect, it } from 'vitest';
import { alertProblems, checkBatch, listResults, manifestsPerBatch, writeReport, type BatchOutcome } from '#shared/custody/integrity.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { encodeManifest } from '#shared/custody/manifest.ts';
import { restoreObject, restoreOrder } from '#shared/custody/restore.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { User } from '#shared/schemas/identity.ts';
import { FakeCustodyRecords, FakeCustodyStore, FakeDocuments, FakeMailer, FakeRuns, fakeIdentity, putResult, sha } from './custody-fakes.ts';

const run = { date: '2026-11-08', executionName: 'weekly-1' };

async function audit(custody: FakeCustodyStore, documents: FakeDocuments, records: FakeCustodyRecords, trustStoredChecksums = false): Promise<BatchOutcome[]> {
  const listed = await listResults({ records, documents }, run);
  const out: BatchOutcome[] = [];
  for (const b of listed.batches) out.push(await checkBatch({ custody, records, documents, trustStoredChecksums }, run, b));
  return out;
}

async function report(custody: FakeCustodyStore, records: FakeCustodyRecords): Promise<{ documents: FakeDocuments; stored: { passed: boolean; problems: Array<{ key: string; status: string; resultNumber: string }> }; reportKey: string }> {
  const documents = new FakeDocuments();
  const batches = await audit(custody, documents, records);
  const manifests = batches.length === 0 ? 0 : [...records.copies.values()].filter((c) => !records.destroyed.has(c.resultNumber)).length;
  const out = await writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, manifests, batches: batches.length, requestId: 'r' });
  return { documents, stored: (await documents.getJson(out.reportKey)) as never, reportKey: out.reportKey };
}

const A = '440000-CUS-2026-GT-000001';
const B = '440000-CUS-2026-GT-000002';

describe('R10.1 integrity audit: every custody object against its manifest', () => {
  it('pages through the registry’s custody records and groups them into batches kept in the documents bucket', async () => {
    const custody = new FakeCustodyStore();
    const records = new FakeCustodyRecords({ pageSize: 7 });
    const documents = new FakeDocuments();
    for (let i = 1; i <= manifestsPerBatch + 3; i += 1) putResult([custody], records, `440000-CUS-2026-GT-${String(i).padStart(6, '0')}`, { 'a.txt': `a${i}` });

    const listed = await listResults({ records, documents }, run);

    expect(listed.manifests).toBe(manifestsPerBatch + 3);
    expect(listed.batches.map((b) => b.manifests)).toEqual([manifestsPerBatch, 3]);
    expect(documents.objects.has(listed.batches[1]?.key ?? '')).toBe(true);
  });

  it('passes an intact custody and streams every object when the store has no trusted checksum', async () => {
    const custody = new FakeCustodyStore();
    const records = new FakeCustodyRecords();
    const documents = new FakeDocuments();
    putResult([custody], records, A, { 'a.txt': 'alpha', 'b.txt': 'beta' });

    const [batch] = await audit(custody, documents, records);

    expect(batch).toMatchObject({ objects: 2, ok: 2, missing: 0, mismatched: 0, streamed: 2, byStoredChecksum: 0, bytesStreamed: 9 });
  });

  it('uses the store’s verified SHA-256 without reading bytes where it is trusted', async () => {
    const custody = new FakeCustodyStore({ storedChecksums: true });
    const records = new FakeCustodyRecords();
    const documents = new FakeDocuments();
    putResult([custody], records, A, { 'a.txt': 'alpha' });

    const [batch] = await audit(custody, documents, records, true);

    expect(batch).toMatchObject({ ok: 1, byStoredChecksum: 1, streamed: 0, bytesStreamed: 0 });
  });

  it('names a missing object and a changed one (same size, other bytes), and reports only those', async () => {
    const custody = new FakeCustodyStore();
    const records = new FakeCustodyRecords();
    const documents = new FakeDocuments();
    putResult([custody], records, A, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    putResult([custody], records, B, { 'c.txt': 'gamma' });
    custody.tamper(custodyObjectKey(A, 1, 'b.txt'), 'BETA');
    custody.remove(custodyObjectKey(B, 1, 'c.txt'));
    const runs = new FakeRuns();

    const batches = await audit(custody, documents, records);
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
    const records = new FakeCustodyRecords();
    const documents = new FakeDocuments();
    putResult([custody], records, A, { 'a.txt': 'alpha' });
    custody.tamper(custodyObjectKey(A, 1, 'a.txt'), 'ALPHA');
    const report = await writeReport({ documents, runs: new FakeRuns(), now: () => new Date() }, { ...run, manifests: 1, batches: (await audit(custody, documents, records)).length, requestId: 'r' });
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

describe('R10.1 integrity audit trusts the registry, not the bucket: the four tampering cases of issue 8', () => {
  /** Result A (two files) in custody and backup, result B (one file) beside it; the registry recorded both. */
  function tampered() {
    const custody = new FakeCustodyStore();
    const backup = new FakeCustodyStore();
    const records = new FakeCustodyRecords();
    const manifest = putResult([custody, backup], records, A, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    putResult([custody, backup], records, B, { 'c.txt': 'gamma' });
    return { custody, backup, records, manifest };
  }
  const findings = (stored: { problems: Array<{ key: string; status: string }> }) => stored.problems.map((p) => [p.key, p.status]).sort();

  it('(a) a data file rewritten together with its manifest: the manifest differs from the recorded SHA-256 and the file from the registry’s file list', async () => {
    const { custody, records, manifest } = tampered();
    const forged = { ...manifest, files: manifest.files.map((f) => (f.path === 'b.txt' ? { ...f, sha256: sha('BETA') } : f)) };
    custody.tamper(custodyObjectKey(A, 1, 'b.txt'), 'BETA');
    custody.tamper(custodyManifestKey(A, 1), Buffer.from(encodeManifest(forged)).toString('utf8'));

    const { stored } = await report(custody, records);

    expect(stored.passed).toBe(false);
    expect(findings(stored)).toEqual([
      [custodyManifestKey(A, 1), 'manifestMismatch'],
      [custodyObjectKey(A, 1, 'b.txt'), 'mismatch'],
    ]);
  });

  it('(b) a manifest deleted and a file changed: the missing manifest is a finding and the file is still checked', async () => {
    const { custody, records } = tampered();
    custody.remove(custodyManifestKey(A, 1));
    custody.tamper(custodyObjectKey(A, 1, 'a.txt'), 'ALPHA');

    const { stored } = await report(custody, records);

    expect(findings(stored)).toEqual([
      [custodyManifestKey(A, 1), 'manifestMissing'],
      [custodyObjectKey(A, 1, 'a.txt'), 'mismatch'],
    ]);
  });

  it('(c) a file changed only', async () => {
    const { custody, records } = tampered();
    custody.tamper(custodyObjectKey(B, 1, 'c.txt'), 'GAMMA');

    const { stored } = await report(custody, records);

    expect(findings(stored)).toEqual([[custodyObjectKey(B, 1, 'c.txt'), 'mismatch']]);
  });

  it('(d) a file deleted', async () => {
    const { custody, records } = tampered();
    custody.remove(custodyObjectKey(A, 1, 'a.txt'));

    const { stored } = await report(custody, records);

    expect(findings(stored)).toEqual([[custodyObjectKey(A, 1, 'a.txt'), 'missing']]);
  });

  it('a result whose whole custody copy is gone (files and manifest) is reported: the expected set comes from the registry, not the bucket listing', async () => {
    const { custody, records, manifest } = tampered();
    for (const f of manifest.files) custody.remove(f.key);
    custody.remove(custodyManifestKey(A, 1));

    const { stored } = await report(custody, records);

    expect(findings(stored)).toEqual([
      [custodyManifestKey(A, 1), 'manifestMissing'],
      [custodyObjectKey(A, 1, 'a.txt'), 'missing'],
      [custodyObjectKey(A, 1, 'b.txt'), 'missing'],
    ]);
  });

  it('reports the copy unverifiable when the registry’s file list no longer gives the recorded root hash either', async () => {
    const { custody, records } = tampered();
    custody.remove(custodyManifestKey(A, 1));
    records.files.set(`sub-${A}#1`, [{ path: 'a.txt', size: 5, sha256: sha('ALPHA') }, { path: 'b.txt', size: 4, sha256: sha('beta') }]);

    const { stored } = await report(custody, records);

    expect(findings(stored)).toEqual([
      [custodyManifestKey(A, 1), 'manifestMissing'],
      [custodyManifestKey(A, 1), 'unverifiable'],
    ]);
  });

  it('skips a destroyed result (its objects were deleted by the approved path) and passes an intact custody', async () => {
    const { custody, records, manifest } = tampered();
    for (const f of manifest.files) custody.remove(f.key);
    custody.remove(custodyManifestKey(A, 1));
    records.destroyed.add(A);

    const { stored } = await report(custody, records);

    expect(stored).toMatchObject({ passed: true, problems: [] });
  });

  it('alerts the custodian and the organiser about a rewritten manifest, in Chinese', async () => {
    const { custody, records } = tampered();
    custody.tamper(custodyManifestKey(A, 1), '{"truncated');
    const mailer = new FakeMailer();
    const users: User[] = [
      { userId: 'zhang.wei', name: '张伟', email: 'zhang.wei@example.gov.cn', orgCode: '440000-CUS', roles: ['custodian'], clearance: 'secret' },
      { userId: 'chen.jing', name: '陈静', email: 'chen.jing@example.gov.cn', orgCode: '440000-NR', roles: ['reviewer'], clearance: 'secret' },
    ];
    const { documents, reportKey } = await report(custody, records);

    await alertProblems({ documents, identity: fakeIdentity(users), mailer }, { reportKey });

    expect(mailer.sent[0]?.to).toEqual(['zhang.wei@example.gov.cn', 'chen.jing@example.gov.cn']);
    expect(mailer.sent[0]?.text).toContain('保管清单与登记的 SHA-256 不符');
  });
});

describe('R10.1 restore from the backup copy', () => {
  function setup() {
    const custody = new FakeCustodyStore();
    const backup = new FakeCustodyStore();
    const records = new FakeCustodyRecords();
    const manifest = putResult([custody, backup], records, A, { 'a.txt': 'alpha', 'b.txt': 'beta' });
    const audited: AuditEntry[] = [];
    const ports = { custody, backup, repair: custody, records, audit: async (e: AuditEntry) => void audited.push(e) };
    return { custody, backup, ports, audited, records, manifest };
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

  it('repairs case (a): restores the rewritten manifest from the backup (checked against the recorded SHA-256), then the file against it', async () => {
    const { custody, backup, ports, manifest } = setup();
    const fileKey = custodyObjectKey(A, 1, 'b.txt');
    const manifestKey = custodyManifestKey(A, 1);
    const forged = { ...manifest, files: manifest.files.map((f) => (f.path === 'b.txt' ? { ...f, sha256: sha('BETA') } : f)) };
    custody.tamper(fileKey, 'BETA');
    custody.tamper(manifestKey, Buffer.from(encodeManifest(forged)).toString('utf8'));

    const done = [];
    for (const key of restoreOrder([fileKey, manifestKey])) done.push(await restoreObject(ports, { key, actor: 'zhang.wei', requestId: 'r' }));

    expect(done.map((d) => [d.key, d.before])).toEqual([
      [manifestKey, 'mismatch'],
      [fileKey, 'mismatch'],
    ]);
    expect(custody.objects.get(manifestKey)?.equals(backup.objects.get(manifestKey)!)).toBe(true);
    expect(custody.objects.get(fileKey)?.toString()).toBe('beta');
  });

  it('does not believe a rewritten manifest even for a file alone: the file is restored against the recorded manifest', async () => {
    const { custody, ports, manifest } = setup();
    const fileKey = custodyObjectKey(A, 1, 'b.txt');
    custody.tamper(fileKey, 'BETA');
    custody.tamper(custodyManifestKey(A, 1), Buffer.from(encodeManifest({ ...manifest, files: manifest.files.map((f) => ({ ...f, sha256: sha('BETA') })) })).toString('utf8'));

    const out = await restoreObject(ports, { key: fileKey, actor: 'x', requestId: 'r' });

    expect(out).toMatchObject({ before: 'mismatch', sha256: sha('beta') });
  });

  it('repairs case (b): restores a deleted manifest', async () => {
    const { custody, ports, records } = setup();
    const manifestKey = custodyManifestKey(A, 1);
    custody.remove(manifestKey);

    const out = await restoreObject(ports, { key: manifestKey, actor: 'x', requestId: 'r' });

    expect(out).toMatchObject({ key: manifestKey, before: 'missing', sha256: (await records.findCopy(A, 1))?.manifestSha256 });
  });

  it('refuses a key the registry has no custody record for', async () => {
    const { ports } = setup();

    await expect(restoreObject(ports, { key: custodyObjectKey(B, 1, 'c.txt'), actor: 'x', requestId: 'r' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
