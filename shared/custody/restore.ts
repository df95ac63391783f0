import { NotFoundError, ValidationError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CustodyCopyRecord, CustodyRecords, CustodyRepair, CustodyStore } from '#shared/ports/custody.ts';
import { BackupDamagedError, CustodyObjectIntactError } from './errors.ts';
import { collect, sha256OfBytes, sha256OfStream } from './hash.ts';
import { custodyManifestKey, manifestsPrefix, resultsPrefix } from './keys.ts';
import { decodeManifest, type CustodyFile } from './manifest.ts';

export interface RestorePorts {
  readonly custody: CustodyStore;
  /** The backup copy: the replica in the backup region on AWS, the local backup bucket on the laptop. */
  readonly backup: CustodyStore;
  readonly repair: CustodyRepair;
  /** The registry's custody record: the manifest SHA-256 every restore is checked against. */
  readonly records: Pick<CustodyRecords, 'findCopy'>;
  /** Writes the audit record (auditedWrite with no domain items). */
  readonly audit: (entry: AuditEntry) => Promise<void>;
}

export interface RestoreOutcome {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly before: 'missing' | 'mismatch';
}

const objectKeyPattern = new RegExp(`^${resultsPrefix}([^/]+)/v(\\d+)/(.+)$`);
const manifestKeyPattern = new RegExp(`^${manifestsPrefix}([^/]+)/v(\\d+)\\.json$`);

/**
 * What the key must hold, from the registry: a manifest must have the
 * recorded SHA-256; a package file the SHA-256 of the manifest that has it
 * (custody's, else the backup's — whichever is the recorded one).
 */
async function expected(ports: RestorePorts, key: string): Promise<{ record: CustodyCopyRecord; sha256: string; size: number; kind: 'manifest' | 'file' }> {
  const m = manifestKeyPattern.exec(key) ?? objectKeyPattern.exec(key);
  if (!m?.[1] || !m[2]) throw new ValidationError(`${key} 不是保管对象的键（应为 results/<统一编号>/v<版本>/<路径> 或 manifests/<统一编号>/v<版本>.json）`);
  const n = Number(m[2]);
  const record = await ports.records.findCopy(m[1], n);
  if (!record) throw new NotFoundError(`登记库中没有成果 ${m[1]} 第 ${n} 版的保管记录，无从核对，未恢复`);
  const manifestKey = custodyManifestKey(m[1], n);
  let manifest: { bytes: Uint8Array; files: CustodyFile[] } | undefined;
  for (const store of [ports.custody, ports.backup]) {
    if (!(await store.head(manifestKey))) continue;
    const bytes = await collect(store.read(manifestKey));
    if (sha256OfBytes(bytes) === record.manifestSha256) {
      manifest = { bytes, files: decodeManifest(bytes).files };
      break;
    }
  }
  if (!manifest) throw new BackupDamagedError(manifestKey);
  if (key === manifestKey) return { record, sha256: record.manifestSha256, size: manifest.bytes.byteLength, kind: 'manifest' };
  const file = manifest.files.find((f) => f.key === key);
  if (!file) throw new NotFoundError(`保管清单 ${manifestKey} 中没有 ${key}`);
  return { record, sha256: file.sha256, size: file.size, kind: 'file' };
}

/**
 * Restore one custody object — a package file or its manifest — from the
 * backup copy (R10.1). Primary course:
 *  1. what the key must hold comes from the registry's custodyCopied record
 *     (the manifest's SHA-256), never from the bucket alone: a rewritten
 *     manifest is not believed, and is itself restored;
 *  2. the custody object must be missing or differ — an intact object is
 *     refused (CustodyObjectIntactError): restore is not a way to overwrite custody;
 *  3. the backup copy is hashed and must equal the expected SHA-256
 *     (BackupDamagedError otherwise; nothing is written);
 *  4. the bytes are streamed back (S3 checks them against the SHA-256 on
 *     arrival) and read again to confirm;
 *  5. the audit record names the operator, the key and the checksum.
 */
export async function restoreObject(ports: RestorePorts, input: { key: string; actor: string; requestId: string }): Promise<RestoreOutcome> {
  const want = await expected(ports, input.key);
  const head = await ports.custody.head(input.key);
  const before = head ? ((await sha256OfStream(ports.custody.read(input.key))).sha256 === want.sha256 && head.size === want.size ? undefined : 'mismatch') : 'missing';
  if (!before) throw new CustodyObjectIntactError(input.key);

  if (!(await ports.backup.head(input.key))) throw new BackupDamagedError(input.key);
  // Two passes over the backup (hash, then copy) keep one object out of memory, whatever its size.
  const backupCopy = await sha256OfStream(ports.backup.read(input.key));
  if (backupCopy.sha256 !== want.sha256 || backupCopy.bytes !== want.size) throw new BackupDamagedError(input.key);

  await ports.repair.replaceDamaged(input.key, ports.backup.read(input.key), want.sha256, want.size);
  const after = await sha256OfStream(ports.custody.read(input.key));
  if (after.sha256 !== want.sha256) throw new Error(`restore of ${input.key} did not take: custody still reads ${after.sha256}`);

  await ports.audit({
    actor: input.actor,
    orgCode: want.record.custodianOrg,
    action: 'custody.object.restore',
    target: `CUSTODY#${input.key}`,
    outcome: 'success',
    requestId: input.requestId,
    detail: { resultNumber: want.record.resultNumber, n: want.record.n, kind: want.kind, sha256: want.sha256, size: want.size, before, from: 'backup' },
  });
  return { key: input.key, sha256: want.sha256, size: want.size, before };
}

/** Manifests first: a package file is checked against the restored (recorded) manifest. */
export function restoreOrder(keys: readonly string[]): string[] {
  const unique = [...new Set(keys)];
  return [...unique.filter((k) => k.startsWith(manifestsPrefix)), ...unique.filter((k) => !k.startsWith(manifestsPrefix))];
}
