/**
 * Verification (issue 3): bytes the verifier reads vs package bytes, and time
 * per 1,000 files — each against a baseline measured in the same run.
 * - 1,000 files: 111 copies of the valid GDAL-made fixture (999 files) plus a
 *   CSV, on disk. Header mode = the store supplied each file's SHA-256 (as S3
 *   does for a single PUT); baseline = the same checks with every file
 *   streamed and hashed (what a verifier without stored checksums must do).
 *   Interleaved, ≥ 5 runs each after a warm-up (compare.ts).
 * - Sparse 3.9 GB package (real headers, zeros elsewhere): bytes read vs size.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileByteSource } from '#test/fakes/file-byte-source.ts';
import type { PackageFile } from '#shared/verification/byte-source.ts';
import { verifyPackage, type ManifestEntry } from '#shared/verification/verify-package.ts';
import { largePackage } from '../test/fixtures/packages/large.ts';
import { fixturePath } from '../test/fixtures/packages/load.ts';
import { comparison, interleaved } from './compare.ts';
import type { BenchResult } from './run.ts';

function thousandFiles(root: string): { manifest: ManifestEntry[]; theme: string; regionCode: string } {
  const valid = fixturePath('./valid');
  const base = JSON.parse(readFileSync(join(valid, 'manifest.json'), 'utf8')) as { theme: string; regionCode: string; files: ManifestEntry[] };
  const manifest: ManifestEntry[] = [];
  for (let copy = 0; copy < 111; copy++) {
    for (const f of base.files) {
      const path = `sheet-${String(copy).padStart(3, '0')}/${f.path}`;
      mkdirSync(dirname(join(root, path)), { recursive: true });
      copyFileSync(join(valid, f.path), join(root, path));
      manifest.push({ ...f, path });
    }
  }
  const csv = 'BSM,MC\n1,样地\n';
  writeFileSync(join(root, 'index.csv'), csv);
  manifest.push({ path: 'index.csv', size: Buffer.byteLength(csv), sha256: createHash('sha256').update(csv).digest('hex'), role: 'metadata' });
  return { manifest, theme: base.theme, regionCode: base.regionCode };
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'chengguo-verify-bench-'));
  try {
    const pkg = thousandFiles(root);
    const files = (stored: boolean) =>
      new Map<string, PackageFile>(pkg.manifest.map((f) => [f.path, fileByteSource(join(root, f.path), stored ? { storedSha256: f.sha256 } : {})]));
    const verify = (stored: boolean) =>
      verifyPackage({ manifest: pkg.manifest, files: files(stored), theme: pkg.theme as never, regionCode: pkg.regionCode });

    let headers: Awaited<ReturnType<typeof verify>> | undefined;
    let streamed: Awaited<ReturnType<typeof verify>> | undefined;
    const times = await interleaved({
      headers: async () => {
        headers = await verify(true);
        if (!headers.passed) throw new Error('the 1,000-file package should pass (header mode)');
      },
      streamed: async () => {
        streamed = await verify(false);
        if (!streamed.passed) throw new Error('the 1,000-file package should pass (streaming)');
      },
    });
    if (!headers || !streamed) throw new Error('no run');
    const per1000 = (ms: number) => (ms * 1000) / pkg.manifest.length;

    const large = await largePackage();
    const report = await verifyPackage({ manifest: large.manifest, files: large.files, theme: 'landSurvey', regionCode: '440117' });

    return [
      ...comparison({
        caseName: 'verification, store checksums (header reads)',
        baselineName: 'verification, streaming every file',
        caseMs: times.headers,
        baselineMs: times.streamed,
        unit: 'ms/1000 files',
        per: per1000,
        note: `${pkg.manifest.length} files, ${(headers.packageBytes / 1024 ** 2).toFixed(1)} MiB`,
        baselineNote: 'no stored checksums',
        ratioName: 'header mode time / streaming time',
      }),
      { name: 'bytes read / package bytes, header mode (1,000 small files)', value: headers.bytesRead / headers.packageBytes, unit: 'ratio', note: 'small files: a header is most of the file' },
      { name: 'bytes read / package bytes, streaming (1,000 small files)', value: streamed.bytesRead / streamed.packageBytes, unit: 'ratio', note: 'baseline' },
      { name: 'bytes read, sparse 3.9 GB package', value: report.bytesRead, unit: 'bytes', note: `of ${report.packageBytes.toLocaleString('en')} (${((100 * report.bytesRead) / report.packageBytes).toExponential(1)} %)` },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
