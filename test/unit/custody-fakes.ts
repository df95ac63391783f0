import { createHash } from 'node:crypto';
import { NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Bytes, CustodyCopyRecord, CustodyObjectHead, CustodyRecords, CustodyRepair, CustodyStore, RecordedFile, UploadsSource } from '#shared/ports/custody.ts';
import { custodyManifestKey, custodyObjectKey } from '#shared/custody/keys.ts';
import { encodeManifest, packageRootHash, type CustodyManifest } from '#shared/custody/manifest.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { DocumentKeyLister, IntegrityRun, IntegrityRunLog } from '#shared/custody/integrity.ts';
import { CustodyObjectExistsError } from '#shared/custody/errors.ts';
import type { User } from '#shared/schemas/identity.ts';

export const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function bytesOf(b: Bytes): Promise<Buffer> {
  if (b instanceof Uint8Array) return Buffer.from(b);
  const parts: Uint8Array[] = [];
  for await (const c of b) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunks(b: Buffer): AsyncIterable<Uint8Array> {
  // Two chunks: consumers must not assume one.
  const mid = Math.floor(b.byteLength / 2);
  yield b.subarray(0, mid);
  yield b.subarray(mid);
}

/** A write-once store in memory; `tamper` and `remove` act "by hand", outside the port. */
export class FakeCustodyStore implements CustodyStore, CustodyRepair {
  readonly objects = new Map<string, Buffer>();
  readonly puts: string[] = [];
  constructor(
    private readonly opts: { storedChecksums?: boolean; pageSize?: number } = {},
  ) {}

  async putOnce(key: string, bytes: Bytes, sha256: string, _size: number): Promise<void> {
    if (this.objects.has(key)) throw new CustodyObjectExistsError(key);
    const body = await bytesOf(bytes);
    if (sha(body) !== sha256) throw new Error(`BadDigest ${key}`);
    this.objects.set(key, body);
    this.puts.push(key);
  }

  async head(key: string): Promise<CustodyObjectHead | undefined> {
    const b = this.objects.get(key);
    if (!b) return undefined;
    return { size: b.byteLength, ...(this.opts.storedChecksums ? { storedSha256: sha(b) } : {}) };
  }

  read(key: string): AsyncIterable<Uint8Array> {
    const b = this.objects.get(key);
    if (!b) {
      return (async function* () {
        throw new NotFoundError(`对象 ${key} 不存在`);
      })();
    }
    return chunks(b);
  }

  async list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }> {
    const all = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const start = cursor ? Number(cursor) : 0;
    const size = this.opts.pageSize ?? 1000;
    const keys = all.slice(start, start + size);
    return { keys, ...(start + size < all.length ? { cursor: String(start + size) } : {}) };
  }

  async replaceDamaged(key: string, bytes: Bytes, sha256: string, _size: number): Promise<void> {
    const body = await bytesOf(bytes);
    if (sha(body) !== sha256) throw new Error(`BadDigest ${key}`);
    this.objects.set(key, body);
  }

  tamper(key: string, bytes: string): void {
    this.objects.set(key, Buffer.from(bytes));
  }
  remove(key: string): void {
    this.objects.delete(key);
  }
}

export class FakeUploads implements UploadsSource {
  readonly objects = new Map<string, Buffer>();
  read(key: string): AsyncIterable<Uint8Array> {
    const b = this.objects.get(key);
    if (!b) throw new NotFoundError(key);
    return chunks(b);
  }
}

/** The documents bucket in memory; `list` pages like ListObjectsV2 (sorted keys, `pageSize` per page). */
export class FakeDocuments implements DocumentStore, DocumentKeyLister {
  readonly objects = new Map<string, string>();
  constructor(private readonly opts: { pageSize?: number } = {}) {}
  async list(prefix: string, cursor?: string): Promise<{ keys: string[]; cursor?: string }> {
    const all = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const start = cursor ? Number(cursor) : 0;
    const size = this.opts.pageSize ?? 1000;
    return { keys: all.slice(start, start + size), ...(start + size < all.length ? { cursor: String(start + size) } : {}) };
  }
  async putJson(key: string, value: unknown): Promise<void> {
    this.objects.set(key, JSON.stringify(value));
  }
  async getJson(key: string): Promise<unknown> {
    const t = this.objects.get(key);
    return t === undefined ? undefined : (JSON.parse(t) as unknown);
  }
  async putText(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
  }
  async getText(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
}

export class FakeRuns implements IntegrityRunLog {
  readonly runs: Array<{ run: IntegrityRun; entry: AuditEntry }> = [];
  async record(run: IntegrityRun, entry: AuditEntry): Promise<void> {
    this.runs.push({ run, entry });
  }
}

export class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(message);
    return { messageId: String(this.sent.length) };
  }
}

export function fakeIdentity(users: User[]): Pick<IdentityRepository, 'listUsers'> {
  return { listUsers: async (orgCode) => users.filter((u) => u.orgCode === orgCode) };
}

/** The registry's custody records in memory: copies by number and version, the submissions' file lists, destroyed results. */
export class FakeCustodyRecords implements CustodyRecords {
  readonly copies = new Map<string, CustodyCopyRecord>();
  readonly files = new Map<string, RecordedFile[]>();
  readonly destroyed = new Set<string>();
  constructor(private readonly opts: { pageSize?: number } = {}) {}

  add(record: CustodyCopyRecord, files: RecordedFile[]): void {
    this.copies.set(`${record.resultNumber}#v${String(record.n).padStart(4, '0')}`, record);
    this.files.set(`${record.submissionId}#${record.n}`, files);
  }
  async listCopies(cursor?: string): Promise<{ copies: CustodyCopyRecord[]; cursor?: string }> {
    const all = [...this.copies.keys()].sort();
    const start = cursor ? Number(cursor) : 0;
    const size = this.opts.pageSize ?? 500;
    return { copies: all.slice(start, start + size).map((k) => this.copies.get(k)!), ...(start + size < all.length ? { cursor: String(start + size) } : {}) };
  }
  async findCopy(resultNumber: string, n: number): Promise<CustodyCopyRecord | undefined> {
    return this.copies.get(`${resultNumber}#v${String(n).padStart(4, '0')}`);
  }
  async isDestroyed(resultNumber: string): Promise<boolean> {
    return this.destroyed.has(resultNumber);
  }
  async listVersionFiles(submissionId: string, n: number): Promise<RecordedFile[]> {
    return this.files.get(`${submissionId}#${n}`) ?? [];
  }
}

/**
 * A result version as the transfer leaves it: its files and manifest in each store (custody, and the backup
 * when given) and the registry's record — manifest SHA-256, root hash — with the submission's file list.
 */
export function putResult(stores: FakeCustodyStore[], records: FakeCustodyRecords, resultNumber: string, files: Record<string, string>, n = 1): CustodyManifest {
  const manifest: CustodyManifest = {
    resultNumber,
    n,
    submissionId: `sub-${resultNumber}`,
    custodianOrg: '440000-CUS',
    organiserOrg: '440000-NR',
    copiedAt: '2026-11-01T00:00:00Z',
    files: Object.entries(files).map(([path, body]) => ({ path, key: custodyObjectKey(resultNumber, n, path), size: Buffer.byteLength(body), sha256: sha(body) })),
  };
  const body = Buffer.from(encodeManifest(manifest));
  for (const s of stores) {
    for (const f of manifest.files) s.objects.set(f.key, Buffer.from(files[f.path] ?? ''));
    s.objects.set(custodyManifestKey(resultNumber, n), body);
  }
  records.add(
    {
      resultNumber,
      n,
      submissionId: manifest.submissionId,
      custodianOrg: manifest.custodianOrg,
      organiserOrg: manifest.organiserOrg,
      manifestKey: custodyManifestKey(resultNumber, n),
      manifestSha256: sha(body),
      rootHash: packageRootHash(manifest.files),
      files: manifest.files.length,
      bytes: manifest.files.reduce((t, f) => t + f.size, 0),
    },
    manifest.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
  );
  return manifest;
}
