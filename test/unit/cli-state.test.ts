import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emptyState,
  manifestChanges,
  manifestDigest,
  planUploads,
  readState,
  StateStore,
  stateFileName,
  type FileState,
  type ServerFileStatus,
} from '../../cli/state.ts';

const KiB = 1024;
/** Files over 10 KiB go in 4 KiB parts (the shape of the real plan, scaled down). */
const planOf = (size: number) =>
  size > 10 * KiB ? { kind: 'multipart' as const, partSize: 4 * KiB, partCount: Math.ceil(size / (4 * KiB)) } : { kind: 'single' as const };

const files = [
  { path: 'a.shp', size: 3 * KiB },
  { path: 'b.tif', size: 18 * KiB }, // 5 parts: 4+4+4+4+2 KiB
  { path: 'c.pdf', size: 2 * KiB },
];
const part = (n: number) => ({ etag: `"etag-${n}"`, sha256: String(n).repeat(64).slice(0, 64) });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'chengguo-cli-state-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('issue-3 R7.1 upload CLI: resume planning', () => {
  it('plans only the rest when the state file says A done and B parts 1–3 done', () => {
    const state: Record<string, FileState> = {
      'a.shp': { done: true },
      'b.tif': { uploadId: 'up-1', partSize: 4 * KiB, parts: { '1': part(1), '2': part(2), '3': part(3) } },
    };

    const plan = planUploads({ files, state, planOf });

    expect(plan.done).toEqual(['a.shp']);
    expect(plan.singles).toEqual([{ path: 'c.pdf', size: 2 * KiB }]);
    expect(plan.multipart).toHaveLength(1);
    expect(plan.multipart[0]).toMatchObject({ path: 'b.tif', uploadId: 'up-1', partSize: 4 * KiB, partCount: 5, partsToSend: [4, 5] });
    expect([...(plan.multipart[0]?.partsDone.keys() ?? [])]).toEqual([1, 2, 3]);
    expect(plan.bytesDone).toBe(3 * KiB + 12 * KiB);
  });

  it('plans everything for a fresh package', () => {
    const plan = planUploads({ files, state: {}, planOf });

    expect(plan.done).toEqual([]);
    expect(plan.singles.map((s) => s.path)).toEqual(['a.shp', 'c.pdf']);
    expect(plan.multipart[0]?.partsToSend).toEqual([1, 2, 3, 4, 5]);
    expect(plan.multipart[0]?.uploadId).toBeUndefined();
    expect(plan.bytesDone).toBe(0);
  });

  it('takes the API’s “uploaded” over a state file that lost track (killed after the PUT, before the save)', () => {
    const server = new Map<string, ServerFileStatus>([
      ['a.shp', { path: 'a.shp', size: 3 * KiB, kind: 'single', status: 'uploaded' }],
      ['c.pdf', { path: 'c.pdf', size: 2 * KiB, kind: 'single', status: 'missing' }],
    ]);

    const plan = planUploads({ files, state: {}, server, planOf });

    expect(plan.done).toEqual(['a.shp']);
    expect(plan.singles.map((s) => s.path)).toEqual(['c.pdf']);
  });

  it('sends again a file the state file calls done but the API does not have', () => {
    const server = new Map<string, ServerFileStatus>([['a.shp', { path: 'a.shp', size: 3 * KiB, kind: 'single', status: 'missing' }]]);

    const plan = planUploads({ files: [files[0]!], state: { 'a.shp': { done: true } }, server, planOf });

    expect(plan.singles.map((s) => s.path)).toEqual(['a.shp']);
  });

  it('uses the parts S3 lists, with their ETags, over the state file', () => {
    const state: Record<string, FileState> = { 'b.tif': { uploadId: 'up-1', partSize: 4 * KiB, parts: { '1': part(1), '2': part(2), '3': part(3) } } };
    const server = new Map<string, ServerFileStatus>([
      [
        'b.tif',
        {
          path: 'b.tif',
          size: 18 * KiB,
          kind: 'multipart',
          status: 'partial',
          uploadId: 'up-1',
          partSize: 4 * KiB,
          partCount: 5,
          partsKnown: true,
          partsArrived: [
            { partNumber: 1, etag: '"s3-1"', size: 4 * KiB, sha256: part(1).sha256 },
            { partNumber: 2, etag: '"s3-2"', size: 4 * KiB },
          ],
        },
      ],
    ]);

    const plan = planUploads({ files: [files[1]!], state, server, planOf });

    expect(plan.multipart[0]?.partsToSend).toEqual([3, 4, 5]);
    expect(plan.multipart[0]?.partsDone.get(1)).toEqual({ etag: '"s3-1"', sha256: part(1).sha256 });
    expect(plan.multipart[0]?.partsDone.get(2)).toEqual({ etag: '"s3-2"', sha256: part(2).sha256 });
  });

  it('falls back on the state file when the store cannot list parts', () => {
    const state: Record<string, FileState> = { 'b.tif': { uploadId: 'up-1', partSize: 4 * KiB, parts: { '1': part(1), '4': part(4) } } };
    const server = new Map<string, ServerFileStatus>([
      ['b.tif', { path: 'b.tif', size: 18 * KiB, kind: 'multipart', status: 'partial', uploadId: 'up-1', partSize: 4 * KiB, partCount: 5, partsKnown: false }],
    ]);

    const plan = planUploads({ files: [files[1]!], state, server, planOf });

    expect(plan.multipart[0]?.partsToSend).toEqual([2, 3, 5]);
  });

  it('ignores parts recorded under another upload id (the upload was aborted and restarted)', () => {
    const state: Record<string, FileState> = { 'b.tif': { uploadId: 'up-old', partSize: 4 * KiB, parts: { '1': part(1) } } };
    const server = new Map<string, ServerFileStatus>([
      ['b.tif', { path: 'b.tif', size: 18 * KiB, kind: 'multipart', status: 'missing', uploadId: 'up-new', partSize: 4 * KiB, partCount: 5, partsKnown: true, partsArrived: [] }],
    ]);

    const plan = planUploads({ files: [files[1]!], state, server, planOf });

    expect(plan.multipart[0]).toMatchObject({ uploadId: 'up-new', partsToSend: [1, 2, 3, 4, 5] });
  });

  it('follows the API’s part size when it differs from the local guess', () => {
    const server = new Map<string, ServerFileStatus>([
      ['b.tif', { path: 'b.tif', size: 18 * KiB, kind: 'multipart', status: 'missing', partSize: 8 * KiB, partCount: 3 }],
    ]);

    const plan = planUploads({ files: [files[1]!], state: {}, server, planOf });

    expect(plan.multipart[0]).toMatchObject({ partSize: 8 * KiB, partCount: 3, partsToSend: [1, 2, 3] });
  });

  it('reports expired multipart uploads and objects of the wrong size', () => {
    const server = new Map<string, ServerFileStatus>([
      ['a.shp', { path: 'a.shp', size: 3 * KiB, kind: 'single', status: 'mismatch' }],
      ['b.tif', { path: 'b.tif', size: 18 * KiB, kind: 'multipart', status: 'expired', uploadId: 'up-1', partSize: 4 * KiB, partCount: 5 }],
    ]);
    const state: Record<string, FileState> = { 'b.tif': { uploadId: 'up-1', partSize: 4 * KiB, parts: { '1': part(1) } } };

    const plan = planUploads({ files: files.slice(0, 2), state, server, planOf });

    expect(plan.mismatched).toEqual(['a.shp']);
    expect(plan.expired).toEqual(['b.tif']);
    expect(plan.multipart[0]).toMatchObject({ partsToSend: [1, 2, 3, 4, 5] });
    expect(plan.multipart[0]?.uploadId).toBeUndefined();
  });
});

describe('issue-3 R7.1 upload CLI: the state file', () => {
  it('writes atomically: the file always parses, no temporary files stay behind', async () => {
    const store = new StateStore(tmp, emptyState('http://api'));

    const writes = Array.from({ length: 50 }, (_, i) => store.markPart('b.tif', 'up-1', 4096, i + 1, part(i + 1)));
    await Promise.all(writes);
    await store.flush();

    expect(readdirSync(tmp)).toEqual([stateFileName]);
    const saved = JSON.parse(readFileSync(join(tmp, stateFileName), 'utf8'));
    expect(Object.keys(saved.files['b.tif'].parts)).toHaveLength(50);
  });

  it('reads back what was saved', async () => {
    const state = { ...emptyState('http://api'), submissionId: 's-1', n: 2 };
    const store = new StateStore(tmp, state);
    await store.markDone('a.shp');

    const read = await readState(tmp);

    expect(read).toMatchObject({ apiUrl: 'http://api', submissionId: 's-1', n: 2, files: { 'a.shp': { done: true } } });
  });

  it('says how to recover from a corrupt state file', async () => {
    writeFileSync(join(tmp, stateFileName), '{"format":1,"files":');

    await expect(readState(tmp)).rejects.toMatchObject({ code: 'STATE_FILE_INVALID', message: expect.stringContaining('删除该文件后重新运行') });
  });

  it('has no state when the package was never uploaded', async () => {
    expect(await readState(tmp)).toBeUndefined();
  });
});

describe('issue-3 R7.1 upload CLI: manifest identity', () => {
  const m = [
    { path: 'b', size: 2, sha256: 'b'.repeat(64), role: 'data' as const },
    { path: 'a', size: 1, sha256: 'a'.repeat(64), role: 'report' as const },
  ];

  it('gives the same digest whatever the order of files', () => {
    expect(manifestDigest(m)).toBe(manifestDigest([...m].reverse()));
  });

  it('changes the digest when a role changes', () => {
    expect(manifestDigest(m)).not.toBe(manifestDigest([{ ...m[0]!, role: 'map' }, m[1]!]));
  });

  it('lists added, changed and removed files', () => {
    const before = {
      a: { size: 1, mtimeMs: 0, sha256: 'a'.repeat(64) },
      b: { size: 2, mtimeMs: 0, sha256: 'x'.repeat(64) },
      gone: { size: 3, mtimeMs: 0, sha256: 'g'.repeat(64) },
    };

    expect(manifestChanges(before, [...m, { path: 'new', size: 1, sha256: 'n'.repeat(64), role: 'data' }])).toEqual([
      { path: 'b', change: '内容已改变' },
      { path: 'gone', change: '已删除' },
      { path: 'new', change: '新增' },
    ]);
  });
});
