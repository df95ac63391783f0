/**
 * A submission of a fixture package (test/fixtures/packages/<name>) taken
 * through the HTTP API as the submitter's client would: task registered by
 * chen.jing (广东省自然资源厅), completion recorded and the package submitted
 * and uploaded by li.na (广东省地质测绘院), after which verification starts.
 * Shared by the verification integration tests and the browser e2e test.
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { localBucketName } from '#infra/local/ports.ts';
import { api, cloud, eventually, signIn, waitForEmail, type Email } from './helpers.ts';

const fixtures = fileURLToPath(new URL('../fixtures/packages/', import.meta.url));

interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  role: string;
}

export async function fixtureManifest(name: string): Promise<ManifestFile[]> {
  return (JSON.parse(await readFile(join(fixtures, name, 'manifest.json'), 'utf8')) as { files: ManifestFile[] }).files;
}

export async function fixtureFiles(name: string): Promise<Map<string, Buffer>> {
  const dir = join(fixtures, name);
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(dir, full).split(sep).join('/');
    if (path !== 'manifest.json') out.set(path, await readFile(full));
  }
  return out;
}

const tokens: Record<string, Promise<string>> = {};
export const tokenOf = (userId: string) => (tokens[userId] ??= signIn(userId));

/** A task registered by 广东省自然资源厅 (chen.jing) for 广东省地质测绘院 (li.na), completion recorded. */
export async function registeredTask(review: { countersignOrgs?: string[]; reviewOrg?: string } = {}): Promise<string> {
  const task = await api('POST', '/survey-tasks', {
    token: await tokenOf('chen.jing'),
    body: { name: '2026 年度国土变更调查（核验集成测试）', theme: 'landSurvey', regionCode: '440000', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS', ...review },
  });
  expect(task.status).toBe(201);
  const taskId = task.body.task.taskId as string;
  const done = await api('PUT', `/survey-tasks/${taskId}/completion`, { token: await tokenOf('li.na'), body: { completionDate: '2026-09-18' } });
  expect(done.status).toBe(200);
  return taskId;
}

/** The eight R9.2 fields of a land-survey result; a test names what it varies (region, classification …). */
export function catalogue(name: string, over: { regionCode?: string; classification?: string } = {}) {
  return {
    name,
    content: '土地利用现状数据库、图件、调查报告与元数据',
    format: 'Shapefile、GeoPackage、GeoTIFF、PDF、XML',
    spatialScope: { regionCode: over.regionCode ?? '440000' },
    timePoint: '2026-06-30',
    classification: over.classification ?? 'internal',
    sharingMode: 'online',
  };
}

/**
 * Uploads a fixture through the issued URLs (signed headers sent as given),
 * and any file the manifest does not list straight to the bucket — no URL is
 * ever issued for one, so only something outside the API could put it there.
 */
export async function upload(submissionId: string, n: number, fixture: string): Promise<void> {
  const token = await tokenOf('li.na');
  const bytes = await fixtureFiles(fixture);
  const urls = await api('POST', `/submissions/${submissionId}/versions/${n}/upload-urls`, { token });
  expect(urls.status).toBe(200);
  const listed = new Set<string>();
  for (const f of urls.body.files as Array<{ path: string; url: string; headers: Record<string, string> }>) {
    listed.add(f.path);
    const { 'content-length': _length, ...headers } = f.headers;
    const put = await fetch(f.url, { method: 'PUT', headers, body: bytes.get(f.path) });
    expect(put.status, f.path).toBe(200);
  }
  for (const [path, body] of bytes) {
    if (listed.has(path)) continue;
    const put = await fetch(`${cloud.urls.s3}/${localBucketName('uploads')}/submissions/${submissionId}/v${n}/${path}`, { method: 'PUT', body });
    expect(put.status, path).toBe(200);
  }
  const complete = await api('POST', `/submissions/${submissionId}/versions/${n}/complete`, { token });
  expect(complete.status).toBe(202);
}

/** A new submission of a fixture package, uploaded and completed; verification starts. */
export async function submit(
  fixture: string,
  opts: { name?: string; regionCode?: string; classification?: string; taskId?: string; review?: { countersignOrgs?: string[]; reviewOrg?: string } } = {},
): Promise<{ submissionId: string; name: string; since: Date }> {
  const since = new Date();
  const { taskId: given, review, ...over } = opts;
  const taskId = given ?? (await registeredTask(review));
  const name = opts.name ?? `核验集成测试成果 ${fixture} ${randomBytes(3).toString('hex')}`;
  const opened = await api('POST', `/survey-tasks/${taskId}/submissions`, {
    token: await tokenOf('li.na'),
    body: { catalogue: catalogue(name, over), files: await fixtureManifest(fixture) },
  });
  expect(opened.status).toBe(201);
  const submissionId = opened.body.submission.submissionId as string;
  await upload(submissionId, 1, fixture);
  return { submissionId, name, since };
}

export async function versionStatus(submissionId: string, n: number, wanted: string[], timeoutMs = 30_000): Promise<Record<string, any>> {
  const token = await tokenOf('li.na');
  return eventually(
    async () => {
      const res = await api('GET', `/submissions/${submissionId}`, { token });
      const v = (res.body.submission?.versions as Array<Record<string, any>> | undefined)?.find((x) => x['n'] === n);
      return v && wanted.includes(v['status']) ? v : undefined;
    },
    `v${n} of ${submissionId} to be ${wanted.join('|')}`,
    timeoutMs,
  );
}

export function taskIdIn(mail: Email): string {
  const m = /\/human-tasks\/([A-Za-z0-9_-]{22})\/page/.exec(mail.text ?? '');
  if (!m?.[1]) throw new Error(`no task link in “${mail.subject}”`);
  return m[1];
}


/**
 * A result of the `valid` fixture driven through the real flow — open →
 * upload → seal → automated checks → review approved from the emailed task —
 * and verified; the catalogue fields as the test names them.
 */
export async function verifiedResult(opts: { name: string; regionCode?: string; classification?: string; taskId?: string }): Promise<string> {
  const { submissionId, name, since } = await submit('valid', opts);
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  const taskId = taskIdIn(review);
  await eventually(async () => ((await api('GET', `/human-tasks/${taskId}`, { token: await tokenOf('chen.jing') })).body?.status === 'open' ? true : undefined), 'review task open');
  const decided = await api('POST', `/human-tasks/${taskId}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
  expect(decided.status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  return submissionId;
}

/**
 * A new submission of the `valid` fixture, approved by the reviewer from the
 * emailed link and catalogued by its custodian (zhang.wei, 440000-CUS).
 */
export async function cataloguedValidResult(): Promise<{ submissionId: string; name: string; resultNumber: string }> {
  const { submissionId, name, since } = await submit('valid');
  const review = await waitForEmail({ to: 'chen.jing@example.gov.cn', subject: `成果技术审核：${name}`, since, timeoutMs: 30_000 });
  await versionStatus(submissionId, 1, ['awaitingReview']);
  const decided = await api('POST', `/human-tasks/${taskIdIn(review)}/decision`, { token: await tokenOf('chen.jing'), body: { decision: 'approve', reasons: '' } });
  expect(decided.status).toBe(200);
  await versionStatus(submissionId, 1, ['verified']);
  const entry = await api('POST', '/catalogue', { token: await tokenOf('zhang.wei'), body: { submissionId } });
  expect(entry.status).toBe(201);
  return { submissionId, name, resultNumber: String(entry.body.entry.resultNumber) };
}
