import { NotFoundError, ValidationError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CustodyRepair, CustodyStore } from '#shared/ports/custody.ts';
import { BackupDamagedError, CustodyObjectIntactError } from './errors.ts';
import { collect, sha256OfStream } from './hash.ts';
import { custodyManifestKey, resultsPrefix } from './keys.ts';
import { decodeManifest, type CustodyFile, type CustodyManifest } from './manifest.ts';

export interface RestorePorts {
  readonly custody: CustodyStore;
  /** The backup copy: the replica in the backup region on AWS, the local backup bucket on the laptop. */
  readonly backup: CustodyStore;
  readonly repair: CustodyRepair;
  /** Writes the audit record (auditedWrite with no domain items). */
  readonly audit: (entry: AuditEntry) => Promise<void>;
}

export interface RestoreOutcome {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
  readonly before: 'missing' | 'mismatch';
}

/** results/<number>/v<n>/<path> → the manifest and the file it lists. */
async function manifestEntry(custody: CustodyStore, backup: CustodyStore, key: string): Promise<{ manifest: CustodyManifest; file: CustodyFile }> {
  const m = new RegExp(`^${resultsPrefix}([^/]+)/v(\\d+)/(.+)$`).exec(key);
  if (!m?.[1] || !m[2] || !m[3]) throw new ValidationError(`${key} 不是保管成果对象的键（应为 results/<统一编号>/v<版本>/<路径>）`);
  const manifestKey = custodyManifestKey(m[1], Number(m[2]));
  // The manifest itself may be what was damaged: fall back to the backup's, which restore then checks like any file.
  let manifest: CustodyManifest | undefined;
  for (const store of [custody, backup]) {
    try {
      manifest = decodeManifest(await collect(store.read(manifestKey)));
      break;
    } catch {
      continue;
    }
  }
  if (!manifest) throw new NotFoundError(`保管清单 ${manifestKey} 在保管库和备份中均无法读取`);
  const file = manifest.files.find((f) => f.key === key);
  if (!file) throw new NotFoundError(`保管清单 ${manifestKey} 中没有 ${key}`);
  return { manifest, file };
}

/**
 * Restore one custody object from the backup copy (R10.1). Primary course:
 *  1. the manifest entry for the key (custody's manifest, else the backup's);
 *  2. the custody object must be missing or differ from the manifest —
 *     an intact object is refused (CustodyObjectIntactError): restore is not
 *     a way to overwrite custody;
 *  3. the backup copy is hashed and must equal the manifest's SHA-256
 *     (BackupDamagedError otherwise; nothing is written);
 *  4. the bytes are streamed back (S3 checks them against the SHA-256 on
 *     arrival) and read again to confirm;
 *  5. the audit record names the operator, the key and the checksum.
 */
export async function restoreObject(ports: RestorePorts, input: { key: string; actor: string; requestId: string }): Promise<RestoreOutcome> {
  const { manifest, file } = await manifestEntry(ports.custody, ports.backup, input.key);
  const head = await ports.custody.head(input.key);
  const before = head ? ((await sha256OfStream(ports.custody.read(input.key))).sha256 === file.sha256 && head.size === file.size ? undefined : 'mismatch') : 'missing';
  if (!before) throw new CustodyObjectIntactError(input.key);

  if (!(await ports.backup.head(input.key))) throw new BackupDamagedError(input.key);
  // Two passes over the backup (hash, then copy) keep one object out of memory, whatever its size.
  const backupCopy = await sha256OfStream(ports.backup.read(input.key));
  if (backupCopy.sha256 !== file.sha256 || backupCopy.bytes !== file.size) throw new BackupDamagedError(input.key);

  await ports.repair.replaceDamaged(input.key, ports.backup.read(input.key), file.sha256, file.size);
  const after = await sha256OfStream(ports.custody.read(input.key));
  if (after.sha256 !== file.sha256) throw new Error(`restore of ${input.key} did not take: custody still reads ${after.sha256}`);

  await ports.audit({
    actor: input.actor,
    orgCode: manifest.custodianOrg,
    action: 'custody.object.restore',
    target: `CUSTODY#${input.key}`,
    outcome: 'success',
    requestId: input.requestId,
    detail: { resultNumber: manifest.resultNumber, n: manifest.n, sha256: file.sha256, size: file.size, before, from: 'backup' },
  });
  return { key: input.key, sha256: file.sha256, size: file.size, before };
}
