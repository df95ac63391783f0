import { createHash } from 'node:crypto';
import * as z from 'zod/mini';

/**
 * The custody manifest of one result version: what custody must hold, as
 * verified at submission. The integrity audit (R10.1) compares every object
 * with it; restore checks the backup copy against it before writing.
 */
export const custodyFileSchema = z.object({
  path: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  size: z.number().check(z.int()).check(z.gte(0)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});
export type CustodyFile = z.infer<typeof custodyFileSchema>;

export const custodyManifestSchema = z.object({
  resultNumber: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  submissionId: z.string().check(z.minLength(1)),
  custodianOrg: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  copiedAt: z.string(),
  files: z.array(custodyFileSchema),
});
export type CustodyManifest = z.infer<typeof custodyManifestSchema>;

export function encodeManifest(m: CustodyManifest): Uint8Array {
  return Buffer.from(JSON.stringify(m), 'utf8');
}

export function decodeManifest(bytes: Uint8Array): CustodyManifest {
  return custodyManifestSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/** Two manifests describe the same custody content (copiedAt aside: a retried copy writes nothing new). */
export function sameContent(a: CustodyManifest, b: CustodyManifest): boolean {
  const files = (m: CustodyManifest) => JSON.stringify(m.files.map((f) => [f.path, f.key, f.size, f.sha256]));
  return a.resultNumber === b.resultNumber && a.n === b.n && a.submissionId === b.submissionId && files(a) === files(b);
}

/**
 * The package's root hash: SHA-256 (hex) of one line per file,
 * `<sha256> <size> <path>\n`, sorted by path (UTF-16 code-unit order, as
 * JavaScript sorts). It names the package's content whatever the manifest's
 * encoding, so the same value comes from the custody manifest and from the
 * registry's file list (docs/custody.md “根哈希”).
 */
export function packageRootHash(files: ReadonlyArray<{ path: string; size: number; sha256: string }>): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(`${f.sha256} ${f.size} ${f.path}\n`, 'utf8');
  return hash.digest('hex');
}
