import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadUrlsBody } from '../../cli/api.ts';
import { ApiError, CliError } from '../../cli/errors.ts';
import { stateFileName } from '../../cli/state.ts';
import { runUpload, type UploadDeps, type UploadOptions } from '../../cli/upload.ts';
import { fixturePath } from '../fixtures/packages/load.ts';
import { Captured, FakeCloud } from './cli-fakes.ts';

const catalogue = {
  name: '从化区国土变更调查成果',
  content: '地类图斑矢量数据、土地利用现状图、调查报告与元数据',
  format: 'Shapefile、GeoPackage、GeoTIFF、PDF',
  spatialScope: { regionCode: '440000' },
  timePoint: '2026-06-30',
  classification: 'internal',
  sharingMode: 'conditional',
};
const fixtureManifest = JSON.parse(readFileSync(fixturePath('./valid/manifest.json'), 'utf8')) as { files: Array<{ path: string; size: number }> };

class Crash extends Error {}

let dir: string;
let out: Captured;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chengguo-cli-upload-'));
  cpSync(fixturePath('./valid'), dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue));
  out = new Captured();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const options = (extra: Partial<UploadOptions> = {}): UploadOptions => ({
  dir,
  taskId: '11111111-1111-4111-8111-111111111111',
  parallel: 1,
  follow: true,
  followOptions: { pollMs: 1 },
  ...extra,
});
const deps = (cloud: FakeCloud, extra: Partial<UploadDeps> = {}): UploadDeps => ({
  api: cloud.api,
  transport: cloud.transport,
  out,
  sleep: async () => undefined,
  retry: { attempts: 3, baseMs: 1, capMs: 1, sleep: async () => undefined },
  ...extra,
});
const putPaths = (cloud: FakeCloud) => cloud.puts.map((p) => p.url.replace(/^fake:\/\/put\/submissions\/[^/]+\/v\d+\//, ''));

describe('issue-3 R7.1 upload CLI: upload, complete, follow', () => {
  it('opens the submission with the hashed manifest, sends each file once with the signed headers, completes and follows to review', async () => {
    const cloud = new FakeCloud();

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    const opened = cloud.calls.find((c) => c.method === 'openSubmission')?.args[1] as { files: unknown[]; catalogue: unknown };
    expect(opened.files).toEqual(fixtureManifest.files);
    expect(opened.catalogue).toMatchObject({ name: catalogue.name, classification: 'internal' });
    expect(putPaths(cloud).sort()).toEqual(fixtureManifest.files.map((f) => f.path).sort());
    expect(cloud.puts.every((p) => p.headers['if-none-match'] === '*' && p.headers['x-amz-checksum-sha256'])).toBe(true);
    expect(cloud.count('completeVersion')).toBe(1);
    expect(out.text).toContain('第 1 版：待技术审核（awaitingReview）');
    expect(out.text).toContain('核验报告：http://api.test/submissions/');
    const state = JSON.parse(readFileSync(join(dir, stateFileName), 'utf8'));
    expect(state).toMatchObject({ submissionId: expect.any(String), n: 1, completedAt: expect.any(String) });
    expect(Object.values(state.files).every((f) => (f as { done?: boolean }).done)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files).toEqual(fixtureManifest.files);
  });

  it('resumes after a crash without sending finished files again', async () => {
    const cloud = new FakeCloud();
    const crashAt3 = (count: number) => {
      if (count === 3) throw new Crash('killed');
    };
    await expect(runUpload(options(), deps(cloud, { afterFileDone: crashAt3 }))).rejects.toBeInstanceOf(Crash);
    const firstRun = putPaths(cloud);

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(firstRun).toHaveLength(3);
    const secondRun = putPaths(cloud).slice(3);
    expect(secondRun).toHaveLength(6);
    expect(secondRun.filter((p) => firstRun.includes(p))).toEqual([]);
    expect(cloud.count('openSubmission')).toBe(1);
    expect(out.text).toContain('续传：已上传 3 个文件');
  });

  it('trusts the API over a lost state file: nothing already stored is sent again', async () => {
    const cloud = new FakeCloud();
    const crashAt9 = (count: number) => {
      if (count === 9) throw new Crash('killed before completing');
    };
    await expect(runUpload(options(), deps(cloud, { afterFileDone: crashAt9 }))).rejects.toBeInstanceOf(Crash);
    const submissionId = [...cloud.submissions.keys()][0] as string;
    rmSync(join(dir, stateFileName));

    const code = await runUpload(options({ submissionId }), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.puts).toHaveLength(9);
    expect(cloud.count('completeVersion')).toBe(1);
  });

  it('starts no second verification when run again after completion', async () => {
    const cloud = new FakeCloud();
    await runUpload(options(), deps(cloud));
    const putsBefore = cloud.puts.length;

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.puts.length).toBe(putsBefore);
    expect(cloud.count('completeVersion')).toBe(1);
    expect(cloud.count('uploadUrls')).toBe(1);
    expect(out.text).toContain('本次不再上传，也不会再次启动核验');
  });

  it('retries a PUT that failed on the network', async () => {
    const cloud = new FakeCloud();
    cloud.putFailures.push(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.objects.size).toBe(9);
  });

  it('stops on a refused PUT, names it, and keeps what was sent', async () => {
    const cloud = new FakeCloud();
    cloud.putFailures.push(undefined, new ApiError(403, 'AccessDenied', '对象存储拒绝：Access Denied'), new ApiError(403, 'AccessDenied', '对象存储拒绝：Access Denied'));

    const error = await runUpload(options(), deps(cloud)).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'AccessDenied' });
    expect(cloud.objects.size).toBe(1);
    const state = JSON.parse(readFileSync(join(dir, stateFileName), 'utf8'));
    expect(Object.keys(state.files)).toHaveLength(1);
  });
});

describe('issue-3 R6.1 R7.1 upload CLI: multipart', () => {
  // The fake API sends files over 4 KiB in 4 KiB parts: landuse.gpkg (19,968 bytes) → 5 parts.
  const planOf = (size: number) => (size > 4096 ? { kind: 'multipart' as const, partSize: 4096, partCount: Math.ceil(size / 4096) } : { kind: 'single' as const });

  it('sends parts with their own signed checksums and completes the file with every ETag', async () => {
    const cloud = new FakeCloud(planOf);

    const code = await runUpload(options({ parallel: 3 }), deps(cloud));

    expect(code).toBe(0);
    const partPuts = cloud.puts.filter((p) => p.url.startsWith('fake://part/'));
    expect(partPuts.map((p) => p.bytes).sort((a, b) => b - a)).toEqual([4096, 4096, 4096, 4096, 19968 - 4 * 4096]);
    const completed = cloud.calls.find((c) => c.method === 'completeFile')?.args[2] as { path: string; parts: Array<{ partNumber: number; etag: string }> };
    expect(completed.path).toBe('data/landuse.gpkg');
    expect(completed.parts.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(cloud.objects.has(cloud.key([...cloud.submissions.keys()][0] as string, 1, 'data/landuse.gpkg'))).toBe(true);
  });

  it('resumes a file after its first parts: only the missing parts go again', async () => {
    const cloud = new FakeCloud(planOf);
    const crashAfter2 = (count: number) => {
      if (count === 2) throw new Crash('killed');
    };
    await expect(runUpload(options(), deps(cloud, { afterPartDone: crashAfter2 }))).rejects.toBeInstanceOf(Crash);
    const partUrls = () => cloud.puts.filter((p) => p.url.startsWith('fake://part/')).map((p) => p.url.split('/').pop());
    expect(partUrls()).toEqual(['1', '2']);

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(partUrls()).toEqual(['1', '2', '3', '4', '5']);
    expect(cloud.count('completeFile')).toBe(1);
  });

  it('resumes from the state file when the store cannot list parts', async () => {
    const cloud = new FakeCloud(planOf);
    cloud.partsListable = false;
    const crashAfter3 = (count: number) => {
      if (count === 3) throw new Crash('killed');
    };
    await expect(runUpload(options(), deps(cloud, { afterPartDone: crashAfter3 }))).rejects.toBeInstanceOf(Crash);

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.puts.filter((p) => p.url.startsWith('fake://part/')).map((p) => p.url.split('/').pop())).toEqual(['1', '2', '3', '4', '5']);
  });

  it('issue-8 converges where the store cannot confirm the parts: a rejected complete restarts that file once, and the resume line claims no unproven bytes', async () => {
    // prepare: every part sent and recorded, then the store lost them (the old emulator's InvalidPart on every complete)
    const cloud = new FakeCloud(planOf);
    cloud.partsListable = false;
    const crashAfter5 = (count: number) => {
      if (count === 5) throw new Crash('killed');
    };
    await expect(runUpload(options(), deps(cloud, { afterPartDone: crashAfter5 }))).rejects.toBeInstanceOf(Crash);
    const [submissionId] = [...cloud.submissions.keys()] as [string];
    const firstUpload = cloud.uploadIdOf(submissionId, 1, 'data/landuse.gpkg') as string;
    cloud.parts.delete(firstUpload);
    out = new Captured();

    // act
    const code = await runUpload(options(), deps(cloud));

    // assess
    expect(code).toBe(0);
    const aborts = cloud.calls.filter((c) => c.method === 'abortUploads');
    expect(aborts.map((c) => c.args[2])).toEqual(['data/landuse.gpkg']);
    const secondUpload = cloud.uploadIdOf(submissionId, 1, 'data/landuse.gpkg');
    expect(secondUpload).not.toBe(firstUpload);
    expect(cloud.puts.filter((p) => p.url.startsWith(`fake://part/${secondUpload}/`))).toHaveLength(5);
    expect(cloud.count('completeFile')).toBe(2);
    expect(out.text).toMatch(/对象存储无法确认/);
    expect(out.text).not.toMatch(/本次上传其余 \d+ 个文件（0 B）/);
  });

  it('issue-8 trusts ListParts after a rejected complete where the store lists parts: only the parts it lacks go again, no restart', async () => {
    // prepare: all parts recorded locally, but the store kept only parts 1–3
    const cloud = new FakeCloud(planOf);
    const crashAfter5 = (count: number) => {
      if (count === 5) throw new Crash('killed');
    };
    await expect(runUpload(options(), deps(cloud, { afterPartDone: crashAfter5 }))).rejects.toBeInstanceOf(Crash);
    const [submissionId] = [...cloud.submissions.keys()] as [string];
    const upload = cloud.uploadIdOf(submissionId, 1, 'data/landuse.gpkg') as string;
    cloud.parts.get(upload)?.delete(4);
    cloud.parts.get(upload)?.delete(5);

    // act
    const code = await runUpload(options(), deps(cloud));

    // assess
    expect(code).toBe(0);
    expect(cloud.count('abortUploads')).toBe(0);
    expect(cloud.puts.filter((p) => p.url.startsWith(`fake://part/${upload}/`)).map((p) => p.url.split('/').pop())).toEqual(['1', '2', '3', '4', '5', '4', '5']);
  });

  it('issue-10 hashes the parts only after the version is opened, behind the uploads: each part hashed before its URL is asked for and before it is sent, and the hashes kept for a resume', async () => {
    // prepare
    const cloud = new FakeCloud(planOf);
    const timeline: string[] = [];
    const api = {
      ...cloud.api,
      openSubmission: async (...a: Parameters<typeof cloud.api.openSubmission>) => {
        const r = await cloud.api.openSubmission(...a);
        timeline.push('open');
        return r;
      },
      uploadUrls: async (id: string, n: number, body: UploadUrlsBody) => {
        for (const f of body?.files ?? []) for (const p of f.parts ?? []) timeline.push(`url ${p.partNumber}`);
        return cloud.api.uploadUrls(id, n, body);
      },
    };
    const transport = {
      putFile: async (...a: Parameters<typeof cloud.transport.putFile>) => {
        const part = /^fake:\/\/part\/[^/]+\/(\d+)$/.exec(a[0].url)?.[1];
        if (part) timeline.push(`put ${part}`);
        return cloud.transport.putFile(...a);
      },
    };
    const signed = () => cloud.calls.filter((c) => c.method === 'uploadUrls').flatMap((c) => (c.args[2] as { files: Array<{ parts?: Array<{ partNumber: number; sha256: string }> }> }).files.flatMap((f) => f.parts ?? []));

    // act
    const code = await runUpload(options({ parallel: 3 }), deps(cloud, { api, transport, onPartHashed: (path, p) => timeline.push(`hashed ${p}`) }));

    // assess
    expect(code).toBe(0);
    const at = (event: string) => timeline.indexOf(event);
    expect(timeline.filter((e) => e.startsWith('hashed'))).toHaveLength(5);
    for (let p = 1; p <= 5; p += 1) {
      expect(at('open')).toBeLessThan(at(`hashed ${p}`));
      expect(at(`hashed ${p}`)).toBeLessThan(at(`url ${p}`));
      expect(at(`url ${p}`)).toBeLessThan(at(`put ${p}`));
    }
    // The checksums signed are the parts' own (S3 refuses a part whose bytes do not match: the fake store too).
    const bytes = readFileSync(join(dir, 'data/landuse.gpkg'));
    const partSha = (p: number) => createHash('sha256').update(bytes.subarray((p - 1) * 4096, p * 4096)).digest('hex');
    expect(signed().map((p) => [p.partNumber, p.sha256])).toEqual([1, 2, 3, 4, 5].map((p) => [p, partSha(p)]));
    // The state file keeps them at the part size used, as earlier versions of the CLI did (a resume reuses them).
    const state = JSON.parse(readFileSync(join(dir, stateFileName), 'utf8')) as { hashes: Record<string, { parts?: { partSize: number; sha256: string[] } }> };
    expect(state.hashes['data/landuse.gpkg']?.parts).toEqual({ partSize: 4096, sha256: [1, 2, 3, 4, 5].map(partSha) });
  });

  it('issue-10 stops with FILE_CHANGED, sending none of its parts, when a file changes between the manifest and the hashing of its parts', async () => {
    // prepare
    const cloud = new FakeCloud(planOf);
    const path = join(dir, 'data/landuse.gpkg');
    const api = {
      ...cloud.api,
      openSubmission: async (...a: Parameters<typeof cloud.api.openSubmission>) => {
        const r = await cloud.api.openSubmission(...a);
        // Someone edits the file once the version is opened with its manifest hash.
        const bytes = readFileSync(path);
        bytes[0] = (bytes[0] ?? 0) ^ 0xff;
        writeFileSync(path, bytes);
        utimesSync(path, new Date(), new Date(Date.now() + 5000));
        return r;
      },
    };

    // act
    const run = runUpload(options(), deps(cloud, { api }));

    // assess
    await expect(run).rejects.toMatchObject({ code: 'FILE_CHANGED' });
    expect(cloud.puts.filter((p) => p.url.startsWith('fake://part/'))).toEqual([]);
  });

  it('re-hashes parts when the API chose another part size than the local guess', async () => {
    const cloud = new FakeCloud((size) => (size > 4096 ? { kind: 'multipart', partSize: 8192, partCount: Math.ceil(size / 8192) } : { kind: 'single' }));

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.puts.filter((p) => p.url.startsWith('fake://part/')).map((p) => p.bytes)).toEqual([8192, 8192, 19968 - 16384]);
  });
});

describe('issue-3 R7.1 R7.2 upload CLI: outcomes and refusals', () => {
  it('exits 2 and lists the defects when the version is returned', async () => {
    const cloud = new FakeCloud();
    cloud.verificationScript = ['verifying', 'returned'];
    cloud.defectsOnReturn = [{ file: 'data/parcels.prj', rule: 'crs.not-cgcs2000', message: '坐标系不是 CGCS2000', severity: 'error' }];

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(2);
    expect(out.text).toContain('核验未通过，已退回：1 个问题');
    expect(out.text).toContain('[错误] data/parcels.prj — 坐标系不是 CGCS2000（crs.not-cgcs2000）');
  });

  it('submits the next version of a returned submission from the same folder (R7.2)', async () => {
    const cloud = new FakeCloud();
    cloud.verificationScript = ['returned'];
    await runUpload(options(), deps(cloud));
    writeFileSync(join(dir, 'report', 'survey-report.pdf'), '%PDF-1.4 corrected report');
    cloud.verificationScript = ['awaitingReview'];

    const code = await runUpload(options(), deps(cloud));

    expect(code).toBe(0);
    expect(cloud.count('createVersion')).toBe(1);
    const submission = [...cloud.submissions.values()][0];
    expect(submission?.versions.map((v) => [v.n, v.status])).toEqual([
      [1, 'returned'],
      [2, 'awaitingReview'],
    ]);
    expect(out.text).toContain('已提交第 2 版');
  });

  it('R19.3 --correction opens and uploads the correction version of a verified submission under an order; a re-run follows it, without the flag nothing is sent', async () => {
    const cloud = new FakeCloud();
    cloud.verificationScript = ['verified'];
    expect(await runUpload(options(), deps(cloud))).toBe(0);
    const submissionId = [...cloud.submissions.keys()][0]!;
    writeFileSync(join(dir, 'report', 'survey-report.pdf'), '%PDF-1.4 corrected after the quality problem');
    const putsBefore = cloud.puts.length;

    // without an order the API refuses (its code and message reach the user); without the flag nothing is opened
    const refused = await runUpload(options({ submissionId, correction: true }), deps(cloud)).catch((e: unknown) => e);
    const plain = await runUpload(options({ submissionId }), deps(cloud)).catch((e: unknown) => e);
    cloud.correctionOrdered = true;
    cloud.verificationScript = ['verified'];
    const corrected = await runUpload(options({ submissionId, correction: true }), deps(cloud));
    const again = await runUpload(options({ submissionId, correction: true }), deps(cloud));

    expect(refused).toMatchObject({ code: 'VERSION_NOT_RETURNED' });
    expect(plain).not.toBeInstanceOf(Error);
    expect(corrected).toBe(0);
    expect(again).toBe(0);
    expect(cloud.count('createVersion')).toBe(2);
    expect(cloud.submissions.get(submissionId)?.versions.map((v) => [v.n, v.status])).toEqual([
      [1, 'verified'],
      [2, 'verified'],
    ]);
    // the whole package goes to v2 once (a version is a whole package); the re-run sends nothing more
    const sent = cloud.puts.slice(putsBefore).map((p) => p.url);
    expect(sent.every((u) => u.includes(`/${submissionId}/v2/`))).toBe(true);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toContainEqual(expect.stringContaining('v2/report/survey-report.pdf'));
    expect(out.text).toContain('已提交更正版本：汇交');
  });

  it('refuses to go on when the package changed under an open version, naming the file', async () => {
    const cloud = new FakeCloud();
    await expect(runUpload(options(), deps(cloud, { afterFileDone: () => Promise.reject(new Crash('killed')) }))).rejects.toBeInstanceOf(Crash);
    writeFileSync(join(dir, 'data', 'parcels.cpg'), 'GB2312'.slice(0, 5));

    const error = await runUpload(options(), deps(cloud)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'PACKAGE_CHANGED', details: [{ field: 'data/parcels.cpg', message: '内容已改变' }] });
  });

  it('stops with the R5.1 explanation when the result is classified, uploading nothing', async () => {
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify({ ...catalogue, classification: 'secret' }));
    const cloud = new FakeCloud();

    const error = await runUpload(options(), deps(cloud)).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'CLASSIFIED_HELD_OFFLINE', message: expect.stringContaining('离线保管') });
    expect(cloud.puts).toHaveLength(0);
  });

  it('checks the catalogue before calling the API and names each bad field', async () => {
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify({ ...catalogue, timePoint: '2026-13-01', sharingMode: 'public' }));
    const cloud = new FakeCloud();

    const error = await runUpload(options(), deps(cloud)).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'CATALOGUE_INVALID' });
    expect((error as CliError).details.map((d) => d.field)).toEqual(['catalogue.timePoint', 'catalogue.sharingMode']);
    expect(cloud.calls).toHaveLength(0);
  });

  it('stops with the API’s refusal when asking for upload URLs is refused', async () => {
    const cloud = new FakeCloud();
    const api = { ...cloud.api, uploadUrls: async () => Promise.reject(new ApiError(409, 'VERSION_SEALED', '第 1 版（v1）已封存')) };

    const error = await runUpload(options({ parallel: 4 }), deps(cloud, { api })).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'VERSION_SEALED', status: 409 });
    expect(cloud.puts).toHaveLength(0);
  });

  it('asks for a task or a submission when neither is known', async () => {
    const cloud = new FakeCloud();

    await expect(runUpload({ ...options(), taskId: undefined as never }, deps(cloud))).rejects.toMatchObject({ code: 'TASK_REQUIRED' });
  });
});
