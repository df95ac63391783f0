import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type {
  AbortResponse,
  CompleteFileBody,
  CompleteFileResponse,
  CompleteVersionResponse,
  CreateVersionBody,
  OpenSubmissionBody,
  SubmissionApi,
  SubmissionResponse,
  SubmissionView,
  TimelineResponse,
  UploadInstruction,
  UploadStatusResponse,
  UploadUrlsBody,
  UploadUrlsResponse,
} from '../../cli/api.ts';
import { ApiError } from '../../cli/errors.ts';
import type { PutResult, PutTarget, Transport } from '../../cli/transfer.ts';
import { versionStatusLabels, submissionStatusLabels, type VersionStatus, type DefectView } from '#shared/schemas/submission.ts';

/**
 * An in-memory stand-in for the submission API and the uploads bucket, with
 * the behaviour the CLI relies on: signed headers that must match the bytes
 * (the checksum is checked against what is actually read from disk),
 * If-None-Match on whole-file PUTs, multipart uploads with ETags, listing
 * of what arrived, idempotent completion, and a scripted verification.
 */

type Plan = { kind: 'single' } | { kind: 'multipart'; partSize: number; partCount: number };

interface FakeFile {
  path: string;
  size: number;
  sha256: string;
  plan: Plan;
  uploadId?: string;
  uploaded?: boolean;
}

interface FakeVersion {
  n: number;
  status: VersionStatus;
  files: Map<string, FakeFile>;
  defects?: DefectView[];
}

interface FakeSubmission {
  submissionId: string;
  taskId: string;
  catalogue: OpenSubmissionBody['catalogue'];
  versions: FakeVersion[];
}

export interface CallLog {
  method: string;
  args: unknown[];
}

const hexToB64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export class FakeCloud {
  readonly apiUrl = 'http://api.test';
  readonly calls: CallLog[] = [];
  readonly puts: Array<{ url: string; headers: Record<string, string>; bytes: number }> = [];
  readonly submissions = new Map<string, FakeSubmission>();
  /** key → sha256 hex of the stored bytes. */
  readonly objects = new Map<string, { size: number; sha256: string }>();
  readonly parts = new Map<string, Map<number, { etag: string; sha256: string; size: number }>>();
  /** Statuses the version goes through after completion, one per GET /submissions/{id}. */
  verificationScript: VersionStatus[] = ['verifying', 'awaitingReview'];
  defectsOnReturn: DefectView[] = [];
  /** R19.3: the organiser's open order to correct the verified submission (createVersion allowed once). */
  correctionOrdered = false;
  /** Failures to inject into the next PUTs (thrown before any byte is read). */
  readonly putFailures: unknown[] = [];
  /** Whether GET …/uploads can list parts (fauxqs-like emulators cannot). */
  partsListable = true;
  private nextId = 1;

  constructor(private readonly planOf: (size: number) => Plan = () => ({ kind: 'single' })) {}

  private id(prefix: string): string {
    const n = String(this.nextId++).padStart(12, '0');
    return prefix === 'sub' ? `00000000-0000-4000-8000-${n}` : `${prefix}-${n}`;
  }

  /** The multipart upload id the version's file has now (undefined: none started or aborted). */
  uploadIdOf(id: string, n: number, path: string): string | undefined {
    return this.version(id, n).files.get(path)?.uploadId;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private sub(id: string): FakeSubmission {
    const s = this.submissions.get(id);
    if (!s) throw new ApiError(404, 'NOT_FOUND', `汇交 ${id} 不存在`);
    return s;
  }

  private version(id: string, n: number): FakeVersion {
    const v = this.sub(id).versions.find((x) => x.n === n);
    if (!v) throw new ApiError(404, 'NOT_FOUND', `没有第 ${n} 版`);
    return v;
  }

  private openVersion(id: string, n: number): FakeVersion {
    const v = this.version(id, n);
    if (v.status !== 'open') throw new ApiError(409, 'VERSION_SEALED', `第 ${n} 版已封存`);
    return v;
  }

  key(id: string, n: number, path: string): string {
    return `submissions/${id}/v${n}/${path}`;
  }

  private newVersion(n: number, files: OpenSubmissionBody['files']): FakeVersion {
    return {
      n,
      status: 'open',
      files: new Map(files.map((f) => [f.path, { path: f.path, size: f.size, sha256: f.sha256, plan: this.planOf(f.size) }])),
    };
  }

  view(s: FakeSubmission): SubmissionView {
    const current = s.versions[s.versions.length - 1] as FakeVersion;
    const status = current.status === 'open' ? 'uploading' : current.status === 'returned' ? 'returned' : current.status === 'verified' ? 'verified' : 'verifying';
    const catalogue = { ...s.catalogue, custodian: s.catalogue.custodian ?? '440000-CUS' };
    return {
      submissionId: s.submissionId,
      taskId: s.taskId,
      organiserOrg: '440000-NR',
      implementerOrg: '440000-IMP',
      custodianOrg: '440000-CUS',
      theme: 'landSurvey',
      status,
      currentVersion: current.n,
      catalogue,
      classification: s.catalogue.classification,
      createdAt: '2026-11-28T00:00:00.000Z',
      createdBy: 'li.na',
      statusLabel: submissionStatusLabels[status],
      classificationLabel: '内部',
      sharingModeLabel: '有条件共享',
      deadlines: [],
      versions: s.versions.map((v) => ({
        submissionId: s.submissionId,
        n: v.n,
        status: v.status,
        fileCount: v.files.size,
        totalBytes: [...v.files.values()].reduce((t, f) => t + f.size, 0),
        catalogue,
        createdAt: '2026-11-28T00:00:00.000Z',
        createdBy: 'li.na',
        statusLabel: versionStatusLabels[v.status],
        keyPrefix: `submissions/${s.submissionId}/v${v.n}/`,
        ...(v.defects ? { defects: v.defects, defectCount: v.defects.length } : {}),
      })),
    };
  }

  readonly api: SubmissionApi = {
    apiUrl: this.apiUrl,
    openSubmission: async (taskId: string, body: OpenSubmissionBody) => {
      this.calls.push({ method: 'openSubmission', args: [taskId, body] });
      if (body.catalogue.classification === 'secret') {
        throw new ApiError(409, 'CLASSIFIED_HELD_OFFLINE', '该成果密级为“秘密”，不得上传至云存储，由保管单位离线保管');
      }
      const s: FakeSubmission = { submissionId: this.id('sub'), taskId, catalogue: body.catalogue, versions: [this.newVersion(1, body.files)] };
      this.submissions.set(s.submissionId, s);
      return this.view(s);
    },
    createVersion: async (submissionId: string, body: CreateVersionBody) => {
      this.calls.push({ method: 'createVersion', args: [submissionId, body] });
      const s = this.sub(submissionId);
      const last = s.versions[s.versions.length - 1] as FakeVersion;
      const correcting = last.status === 'verified' && this.correctionOrdered;
      if (last.status !== 'returned' && !correcting) throw new ApiError(409, 'VERSION_NOT_RETURNED', '只有在最新版本被退回后（或组织单位责令改正后）才能提交新版本');
      if (correcting) this.correctionOrdered = false;
      s.versions.push(this.newVersion(last.n + 1, body.files));
      return this.view(s);
    },
    getSubmission: async (submissionId: string): Promise<SubmissionResponse> => {
      this.calls.push({ method: 'getSubmission', args: [submissionId] });
      const s = this.sub(submissionId);
      const v = s.versions[s.versions.length - 1] as FakeVersion;
      if (v.status !== 'open' && v.status !== 'returned' && v.status !== 'verified' && v.status !== 'awaitingReview') {
        const next = this.verificationScript.shift();
        if (next) {
          v.status = next;
          if (next === 'returned') v.defects = this.defectsOnReturn;
        }
      }
      return { submission: this.view(s), task: null };
    },
    getTimeline: async (submissionId: string): Promise<TimelineResponse> => {
      this.calls.push({ method: 'getTimeline', args: [submissionId] });
      this.sub(submissionId);
      return { submissionId, entries: [] };
    },
    uploadStatus: async (submissionId: string, n: number): Promise<UploadStatusResponse> => {
      this.calls.push({ method: 'uploadStatus', args: [submissionId, n] });
      const v = this.version(submissionId, n);
      const files = [...v.files.values()].map((f) => {
        const base = { path: f.path, size: f.size, kind: f.plan.kind, ...(f.plan.kind === 'multipart' ? { partSize: f.plan.partSize, partCount: f.plan.partCount } : {}) };
        const obj = this.objects.get(this.key(submissionId, n, f.path));
        if (obj) return { ...base, status: obj.size === f.size ? ('uploaded' as const) : ('mismatch' as const) };
        if (f.plan.kind === 'single' || !f.uploadId) return { ...base, status: 'missing' as const };
        if (!this.partsListable) return { ...base, uploadId: f.uploadId, status: 'partial' as const, partsKnown: false };
        const parts = [...(this.parts.get(f.uploadId) ?? new Map()).entries()].map(([partNumber, p]) => ({ partNumber, etag: p.etag, size: p.size, sha256: p.sha256 }));
        return { ...base, uploadId: f.uploadId, status: parts.length > 0 ? ('partial' as const) : ('missing' as const), partsKnown: true, partsArrived: parts };
      });
      const uploaded = files.filter((f) => f.status === 'uploaded');
      return {
        submissionId,
        n,
        versionStatus: v.status,
        summary: {
          files: files.length,
          totalBytes: files.reduce((t, f) => t + f.size, 0),
          uploadedFiles: uploaded.length,
          uploadedBytes: uploaded.reduce((t, f) => t + f.size, 0),
          remainingFiles: files.length - uploaded.length,
          complete: uploaded.length === files.length,
        },
        files,
      };
    },
    uploadUrls: async (submissionId: string, n: number, body: UploadUrlsBody): Promise<UploadUrlsResponse> => {
      this.calls.push({ method: 'uploadUrls', args: [submissionId, n, body] });
      const v = this.openVersion(submissionId, n);
      const out: UploadInstruction[] = [];
      for (const req of body?.files ?? []) {
        const f = v.files.get(req.path);
        if (!f) throw new ApiError(400, 'VALIDATION_FAILED', '请求参数有误', [{ field: 'body.files.0.path', message: `文件 ${req.path} 不在清单中` }]);
        const key = this.key(submissionId, n, f.path);
        if (this.objects.get(key)?.size === f.size) {
          out.push({ path: f.path, size: f.size, kind: f.plan.kind, status: 'uploaded' });
          continue;
        }
        const expiresAt = '2099-01-01T00:00:00.000Z';
        if (f.plan.kind === 'single') {
          out.push({
            path: f.path,
            size: f.size,
            kind: 'single',
            status: 'pending',
            method: 'PUT',
            url: `fake://put/${key}`,
            headers: { 'x-amz-checksum-sha256': hexToB64(f.sha256), 'if-none-match': '*', 'content-length': String(f.size) },
            expiresAt,
          });
          continue;
        }
        f.uploadId ??= this.id('upload');
        const plan = f.plan;
        out.push({
          path: f.path,
          size: f.size,
          kind: 'multipart',
          status: 'pending',
          uploadId: f.uploadId,
          partSize: plan.partSize,
          partCount: plan.partCount,
          parts: (req.parts ?? []).map((p) => {
            const size = p.partNumber < plan.partCount ? plan.partSize : f.size - plan.partSize * (plan.partCount - 1);
            return {
              partNumber: p.partNumber,
              size,
              method: 'PUT' as const,
              url: `fake://part/${f.uploadId}/${p.partNumber}`,
              headers: { 'x-amz-checksum-sha256': hexToB64(p.sha256), 'content-length': String(size) },
              expiresAt,
            };
          }),
          ...(req.parts ? {} : { partsNeedChecksums: true }),
        });
      }
      return { submissionId, n, files: out, urlCount: out.length, expiresInSeconds: 3600 };
    },
    completeFile: async (submissionId: string, n: number, body: CompleteFileBody): Promise<CompleteFileResponse> => {
      this.calls.push({ method: 'completeFile', args: [submissionId, n, body] });
      const v = this.openVersion(submissionId, n);
      const f = v.files.get(body.path);
      if (!f || f.plan.kind !== 'multipart' || !f.uploadId) throw new ApiError(409, 'MULTIPART_NOT_STARTED', `文件 ${body.path} 的分片上传尚未开始`);
      if (f.uploaded) return { path: f.path, status: 'uploaded', alreadyComplete: true };
      const have = this.parts.get(f.uploadId) ?? new Map();
      const ok =
        body.parts.length === f.plan.partCount &&
        body.parts.every((p, i) => p.partNumber === i + 1 && have.get(p.partNumber)?.etag === p.etag && (!p.sha256 || have.get(p.partNumber)?.sha256 === p.sha256));
      if (!ok) throw new ApiError(409, 'PARTS_REJECTED', '分片校验不一致');
      // Parts are checked one by one; the assembled object is recorded with the manifest's digest.
      this.objects.set(this.key(submissionId, n, f.path), { size: f.size, sha256: f.sha256 });
      f.uploaded = true;
      return { path: f.path, status: 'uploaded', alreadyComplete: false };
    },
    completeVersion: async (submissionId: string, n: number): Promise<CompleteVersionResponse> => {
      this.calls.push({ method: 'completeVersion', args: [submissionId, n] });
      const v = this.version(submissionId, n);
      const executionName = `${submissionId}-v${n}`;
      if (v.status !== 'open') return { submissionId, n, status: v.status, executionName, started: false };
      const missing = [...v.files.values()].filter((f) => this.objects.get(this.key(submissionId, n, f.path))?.size !== f.size);
      if (missing.length > 0) {
        throw new ApiError(409, 'UPLOAD_INCOMPLETE', `还有 ${missing.length} 个文件未上传完成`, missing.map((m) => ({ field: m.path, message: '未上传' })));
      }
      v.status = 'verifying';
      return { submissionId, n, status: 'verifying', executionName, started: true };
    },
    abortUploads: async (submissionId: string, n: number, path?: string): Promise<AbortResponse> => {
      this.calls.push({ method: 'abortUploads', args: [submissionId, n, path] });
      const v = this.openVersion(submissionId, n);
      const paths: string[] = [];
      for (const f of v.files.values()) {
        if (f.uploadId && !f.uploaded && (path === undefined || f.path === path)) {
          this.parts.delete(f.uploadId);
          delete f.uploadId;
          paths.push(f.path);
        }
      }
      return { aborted: paths.length, paths };
    },
    reportUrl: (submissionId: string, n: number, format: 'html' | 'json' | 'page') => `${this.apiUrl}/submissions/${submissionId}/versions/${n}/report${{ html: '.html', json: '', page: '/page' }[format]}`,
  };

  /** The store's side: checks the signed checksum and length against the bytes actually read. */
  readonly transport: Transport = {
    putFile: async (target: PutTarget, source: { path: string; start: number; length: number }, onBytes: (n: number) => void): Promise<PutResult> => {
      const failure = this.putFailures.shift();
      if (failure) throw failure;
      const handle = await open(source.path, 'r');
      const buf = Buffer.alloc(source.length);
      try {
        await handle.read(buf, 0, source.length, source.start);
      } finally {
        await handle.close();
      }
      onBytes(buf.length);
      this.puts.push({ url: target.url, headers: { ...target.headers }, bytes: buf.length });
      if (target.headers['content-length'] !== String(buf.length)) throw new ApiError(400, 'IncompleteBody', 'length differs from the signed content-length');
      const sha = createHash('sha256').update(buf).digest();
      if (target.headers['x-amz-checksum-sha256'] !== sha.toString('base64')) throw new ApiError(400, 'BadDigest', '对象存储拒绝：checksum mismatch');
      const put = /^fake:\/\/put\/(.+)$/.exec(target.url);
      if (put?.[1]) {
        if (target.headers['if-none-match'] !== '*') throw new Error('test: whole-file PUT without if-none-match');
        if (this.objects.has(put[1])) return { status: 412 };
        this.objects.set(put[1], { size: buf.length, sha256: sha.toString('hex') });
        return { status: 200, etag: `"${createHash('md5').update(buf).digest('hex')}"` };
      }
      const part = /^fake:\/\/part\/([^/]+)\/(\d+)$/.exec(target.url);
      if (part?.[1] && part[2]) {
        const etag = `"${createHash('md5').update(buf).digest('hex')}"`;
        let m = this.parts.get(part[1]);
        if (!m) {
          m = new Map();
          this.parts.set(part[1], m);
        }
        m.set(Number(part[2]), { etag, sha256: sha.toString('hex'), size: buf.length });
        return { status: 200, etag, checksumSha256: sha.toString('base64') };
      }
      throw new Error(`test: unexpected URL ${target.url}`);
    },
  };
}

/** Collects what the CLI prints. */
export class Captured {
  text = '';
  readonly isTTY: boolean;
  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }
  write(t: string): boolean {
    this.text += t;
    return true;
  }
  lines(): string[] {
    return this.text.split('\n').filter(Boolean);
  }
}
