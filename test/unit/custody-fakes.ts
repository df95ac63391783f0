import { createHash } from 'node:crypto';
import { NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Bytes, CustodyObjectHead, CustodyRepair, CustodyStore, UploadsSource } from '#shared/ports/custody.ts';
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
