import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../cli/errors.ts';
import { hashFile, hashFiles, mapBounded } from '../../cli/hash.ts';
import { buildManifest, loadRoleRules, writeManifest } from '../../cli/manifest.ts';
import { walkPackage } from '../../cli/walk.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { Captured } from './cli-fakes.ts';

const validDir = fixturePath('./valid');
const fixtureManifest = JSON.parse(readFileSync(join(validDir, 'manifest.json'), 'utf8')) as {
  files: Array<{ path: string; size: number; sha256: string; role: string }>;
};

/** Deterministic bytes (not all zero, so a wrong offset changes the digest). */
function pattern(bytes: number, seed = 7): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i += 1) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >>> 16;
  }
  return b;
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'chengguo-cli-test-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('issue-3 R7.1 upload CLI: streaming SHA-256', () => {
  it('hashes every fixture file as node:crypto does over the whole file', async () => {
    const paths = fixtureManifest.files.map((f) => join(validDir, f.path));

    const hashes = await hashFiles(paths.map((path) => ({ path })), { concurrency: 3 });

    hashes.forEach((h, i) => {
      const bytes = readFileSync(paths[i] as string);
      expect(h.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(h.size).toBe(bytes.length);
    });
  });

  it('agrees with sha256sum on the same files', async () => {
    const paths = fixtureManifest.files.map((f) => join(validDir, f.path));

    const hashes = await hashFiles(paths.map((path) => ({ path })));
    const res = spawnSync('sha256sum', paths, { encoding: 'utf8' });

    expect(res.status).toBe(0);
    const expected = res.stdout.trim().split('\n').map((line) => line.slice(0, 64));
    expect(hashes.map((h) => h.sha256)).toEqual(expected);
  });

  it('computes part digests in the same pass when reads do not align with part boundaries', async () => {
    const bytes = pattern(10 * 1024 + 123);
    const file = join(tmp, 'data.bin');
    writeFileSync(file, bytes);

    const h = await hashFile(file, { partSize: 4096, chunkBytes: 1000 });

    const expected = [0, 4096, 8192].map((start) => createHash('sha256').update(bytes.subarray(start, start + 4096)).digest('hex'));
    expect(h.parts).toEqual({ partSize: 4096, sha256: expected });
    expect(h.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reports every byte read for progress', async () => {
    const file = join(tmp, 'data.bin');
    writeFileSync(file, pattern(50_000));
    let seen = 0;

    await hashFile(file, { onBytes: (n) => (seen += n), chunkBytes: 4096 });

    expect(seen).toBe(50_000);
  });

  it('keeps results in input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;

    const out = await mapBounded([50, 10, 30, 0, 20], 2, async (ms, i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      return i;
    });

    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });
});

describe('issue-3 R7.1 upload CLI: walking the package', () => {
  it('leaves out dot files, the CLI’s own files and symbolic links, and sorts by path', async () => {
    mkdirSync(join(tmp, 'b'));
    mkdirSync(join(tmp, '.git'));
    writeFileSync(join(tmp, 'b', 'z.shp'), 'z');
    writeFileSync(join(tmp, 'a.pdf'), 'a');
    writeFileSync(join(tmp, '.DS_Store'), 'x');
    writeFileSync(join(tmp, '.git', 'HEAD'), 'x');
    writeFileSync(join(tmp, '.chengguo-upload.json'), '{}');
    writeFileSync(join(tmp, 'manifest.json'), '{}');
    writeFileSync(join(tmp, 'chengguo.roles.json'), '{}');
    symlinkSync(join(tmp, 'a.pdf'), join(tmp, 'link.pdf'));

    const { files, skipped } = await walkPackage(tmp);

    expect(files.map((f) => f.path)).toEqual(['a.pdf', 'b/z.shp']);
    expect(skipped).toEqual([{ path: 'link.pdf', reason: expect.stringContaining('符号链接') }]);
  });
});

describe('issue-3 R7.1 upload CLI: building manifest.json', () => {
  it('reproduces the valid fixture’s manifest (paths, sizes, SHA-256, roles)', async () => {
    const out = new Captured();

    const built = await buildManifest({ dir: validDir, out });

    expect(built.files).toEqual(fixtureManifest.files);
    expect(built.guessed).toEqual([]);
  });

  it('writes manifest.json that lists the files and their totals', async () => {
    cpSync(validDir, tmp, { recursive: true });
    const built = await buildManifest({ dir: tmp, out: new Captured() });

    await writeManifest(join(tmp, 'manifest.json'), built.files, new Date('2026-11-28T00:00:00Z'));

    const written = JSON.parse(readFileSync(join(tmp, 'manifest.json'), 'utf8'));
    expect(written.files).toEqual(fixtureManifest.files);
    expect(written.fileCount).toBe(9);
    expect(written.totalBytes).toBe(fixtureManifest.files.reduce((s, f) => s + f.size, 0));
  });

  it('reuses a cached hash while size and mtime are unchanged and re-reads a touched file', async () => {
    writeFileSync(join(tmp, 'a.shp'), 'aaaa');
    writeFileSync(join(tmp, 'b.shp'), 'bbbb');
    const first = await buildManifest({ dir: tmp, out: new Captured() });
    utimesSync(join(tmp, 'b.shp'), new Date(), new Date(Date.now() + 5000));

    const second = await buildManifest({ dir: tmp, out: new Captured(), cache: first.hashes });

    expect(first.bytesHashed).toBe(8);
    expect(second.bytesHashed).toBe(4);
    expect(second.files).toEqual(first.files);
  });

  it('refuses zero-byte files, naming each', async () => {
    writeFileSync(join(tmp, 'a.shp'), 'a');
    writeFileSync(join(tmp, 'empty.dbf'), '');

    const error = await buildManifest({ dir: tmp, out: new Captured() }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'EMPTY_FILES', details: [{ field: 'empty.dbf', message: expect.stringContaining('0 字节') }] });
  });

  it('refuses a path the API would refuse, with the API’s own message', async () => {
    writeFileSync(join(tmp, 'bad\\name.shp'), 'x');

    const error = await buildManifest({ dir: tmp, out: new Captured() }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'MANIFEST_INVALID', details: [{ field: 'bad\\name.shp（path）', message: expect.stringContaining('反斜杠') }] });
  });

  it('refuses an empty package folder', async () => {
    writeFileSync(join(tmp, '.hidden'), 'x');

    await expect(buildManifest({ dir: tmp, out: new Captured() })).rejects.toMatchObject({ code: 'PACKAGE_EMPTY' });
  });

  it('applies chengguo.roles.json before the convention', async () => {
    mkdirSync(join(tmp, 'docs'));
    writeFileSync(join(tmp, 'docs', '技术设计书.pdf'), 'x');
    writeFileSync(join(tmp, 'docs', '接图表.pdf'), 'x');
    writeFileSync(join(tmp, 'chengguo.roles.json'), JSON.stringify({ rules: [{ match: '**/接图表*.pdf', role: 'map' }] }));

    const built = await buildManifest({ dir: tmp, rules: await loadRoleRules(tmp), out: new Captured() });

    expect(built.files.map((f) => [f.path, f.role])).toEqual([
      ['docs/技术设计书.pdf', 'technicalDocument'],
      ['docs/接图表.pdf', 'map'],
    ]);
  });

  it('names the bad field of an invalid roles file', async () => {
    writeFileSync(join(tmp, 'chengguo.roles.json'), JSON.stringify({ rules: [{ match: 'x/**', role: 'picture' }] }));

    const error = await loadRoleRules(tmp).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'ROLES_FILE_INVALID' });
    expect((error as CliError).details.length).toBeGreaterThan(0);
  });
});

describe('issue-10 R7.1 upload CLI: hashing on worker threads', () => {
  it('splits reads at part boundaries when the read size is larger than a part', async () => {
    const bytes = pattern(3 * 4096);
    const file = join(tmp, 'exact.bin');
    writeFileSync(file, bytes);

    const h = await hashFile(file, { partSize: 4096, chunkBytes: 10_000 });

    const expected = [0, 4096, 8192].map((start) => createHash('sha256').update(bytes.subarray(start, start + 4096)).digest('hex'));
    expect(h.parts).toEqual({ partSize: 4096, sha256: expected });
    expect(h.size).toBe(bytes.length);
  });

  it('hashes several files at once, each on a thread of its own, results in input order', async () => {
    const paths = [0, 1, 2, 3, 4].map((i) => {
      const p = join(tmp, `f${i}.bin`);
      writeFileSync(p, pattern(200_000 + i, i + 1));
      return p;
    });
    let finished = 0;

    const hashes = await hashFiles(paths.map((path) => ({ path })), { concurrency: 2, chunkBytes: 65_536, onFile: () => (finished += 1) });

    expect(hashes.map((h) => h.sha256)).toEqual(paths.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex')));
    expect(finished).toBe(5);
  });

  it('reports a missing file with the error code a read on the main thread gives', async () => {
    const missing = join(tmp, 'missing.bin');

    const failure = hashFiles([{ path: missing }]);

    await expect(failure).rejects.toMatchObject({ code: 'ENOENT', path: missing });
  });

  it('refuses a part size that is not a positive integer before reading anything', async () => {
    await expect(hashFile(join(tmp, 'none.bin'), { partSize: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
