import { createHash } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoSubmissionStore, type RegistryAccess } from '#adapters/dynamo-submission.ts';
import { DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import type { InMemoryTables } from '#test/fakes/audit-store.ts';
import { calendarFromStore } from '#shared/calendar/load.ts';
import { jwtVerifier } from '#runtime/auth.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { HolidayTableStore } from '#shared/ports/calendar.ts';
import type { PackageObjectStore, SignedRequest, StoredObject, SubmissionPorts, UploadedPart } from '#shared/ports/submission.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { PartsRejectedError } from '#shared/submission/errors.ts';
import type { CatalogueInput, ManifestFile } from '#shared/schemas/submission.ts';
import type { HttpDeps } from '#runtime/http.ts';
import { FakeIdentity } from './identity-fakes.ts';

type Item = Record<string, unknown>;

/**
 * The registry's Get/Query/BatchWrite over the in-memory tables, following
 * DynamoDB's semantics the store relies on: items by pk/sk, queries on the
 * base table or a GSI with a sort-key prefix, ascending or descending,
 * Limit and ExclusiveStartKey paging; writes through the real auditedWrite.
 */
export class InMemoryRegistryAccess implements RegistryAccess {
  constructor(
    private readonly tables: InMemoryTables,
    readonly table = 'registry',
    /** Small pages so that callers' paging loops are exercised. */
    private readonly pageSize = 40,
  ) {}

  async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return this.tables.get(this.table, key);
  }

  async query(q: Parameters<RegistryAccess['query']>[0]): Promise<{ items: Item[]; lastKey?: Item }> {
    const pkName = q.index ? `${q.index}pk` : 'pk';
    const skName = q.index ? `${q.index}sk` : 'sk';
    const order = (a: Item, b: Item) => {
      const x = `${String(a[skName])}\u0000${String(a['pk'])}\u0000${String(a['sk'])}`;
      const y = `${String(b[skName])}\u0000${String(b['pk'])}\u0000${String(b['sk'])}`;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    let items = this.tables
      .scan(this.table)
      .filter((i) => i[pkName] === q.pk && (q.skPrefix === undefined || String(i[skName] ?? '').startsWith(q.skPrefix)))
      .filter((i) => q.skAtMost === undefined || String(i[skName] ?? '') <= q.skAtMost)
      .sort(order);
    if (q.forward === false) items.reverse();
    if (q.startKey) {
      const at = items.findIndex((i) => i['pk'] === q.startKey!['pk'] && i['sk'] === q.startKey!['sk']);
      items = items.slice(at + 1);
    }
    const limit = Math.min(q.limit ?? this.pageSize, this.pageSize);
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const lastKey = items.length > limit && last ? this.keyOf(last, q.index) : undefined;
    return { items: page, ...(lastKey ? { lastKey } : {}) };
  }

  private keyOf(item: Item, index?: 'gsi1' | 'gsi2'): Item {
    return { pk: item['pk'], sk: item['sk'], ...(index ? { [`${index}pk`]: item[`${index}pk`], [`${index}sk`]: item[`${index}sk`] } : {}) };
  }

  async batchPut(items: Item[]): Promise<void> {
    for (const item of items) this.tables.put(this.table, item);
  }

  async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    await auditedWrite({ items, entry, store: this.tables });
  }
}

/**
 * The uploads bucket in memory. Presigned requests are recognisable strings
 * (the real presigner is tested against the S3 adapter itself); objects and
 * multipart uploads behave as S3 does for what the domain asks.
 */
export class FakeObjectStore implements PackageObjectStore {
  readonly objects = new Map<string, { size: number; sha256?: string }>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, UploadedPart> }>();
  readonly calls: string[] = [];
  listPartsSupported = true;
  private nextUpload = 1;

  async presignPut(key: string, opts: { checksumSha256: string; size: number; expiresInSeconds: number }): Promise<SignedRequest> {
    this.calls.push(`presignPut ${key}`);
    return {
      url: `https://uploads.test/${encodeURI(key)}?X-Amz-Expires=${opts.expiresInSeconds}`,
      headers: { 'x-amz-checksum-sha256': opts.checksumSha256, 'if-none-match': '*', 'content-length': String(opts.size) },
      expiresAt: new Date(Date.UTC(2026, 8, 21, 3)).toISOString(),
    };
  }

  async createMultipartUpload(key: string): Promise<string> {
    const id = `upload-${this.nextUpload++}`;
    this.calls.push(`create ${key} ${id}`);
    this.uploads.set(id, { key, parts: new Map() });
    return id;
  }

  async presignUploadPart(key: string, uploadId: string, partNumber: number, opts: { checksumSha256: string; size: number; expiresInSeconds: number }): Promise<SignedRequest> {
    this.calls.push(`presignPart ${key} ${uploadId} ${partNumber}`);
    return {
      url: `https://uploads.test/${encodeURI(key)}?partNumber=${partNumber}&uploadId=${uploadId}&X-Amz-Expires=${opts.expiresInSeconds}`,
      headers: { 'x-amz-checksum-sha256': opts.checksumSha256, 'content-length': String(opts.size) },
      expiresAt: new Date(Date.UTC(2026, 8, 21, 3)).toISOString(),
    };
  }

  /** Keys returned by listObjects so far (what S3 would have sent). */
  listedKeys = 0;

  /** As S3 lists: UTF-8 order, pages of 1,000, after `startAfter`; stops after the page that reaches `through`. */
  async listObjects(prefix: string, range: { readonly startAfter?: string; readonly through?: string } = {}): Promise<StoredObject[]> {
    const bytes = (k: string) => Buffer.from(k, 'utf8');
    const all = [...this.objects]
      .filter(([k]) => k.startsWith(prefix) && (range.startAfter === undefined || Buffer.compare(bytes(k), bytes(range.startAfter)) > 0))
      .sort(([a], [b]) => Buffer.compare(bytes(a), bytes(b)));
    const out: StoredObject[] = [];
    for (let at = 0; at < all.length; at += 1000) {
      const page = all.slice(at, at + 1000);
      out.push(...page.map(([key, o]) => ({ key, size: o.size })));
      const last = page[page.length - 1]![0];
      if (range.through !== undefined && Buffer.compare(bytes(last), bytes(range.through)) >= 0) break;
    }
    this.listedKeys += out.length;
    return out;
  }

  async listParts(_key: string, uploadId: string): Promise<UploadedPart[] | 'noSuchUpload' | 'unsupported'> {
    if (!this.listPartsSupported) return 'unsupported';
    const upload = this.uploads.get(uploadId);
    if (!upload) return 'noSuchUpload';
    return [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number; etag: string; checksumSha256: string }>, size: number): Promise<void> {
    this.calls.push(`complete ${key} ${uploadId}`);
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new PartsRejectedError('NoSuchUpload');
    for (const p of parts) {
      const held = upload.parts.get(p.partNumber);
      if (!held || held.etag !== p.etag || held.checksumSha256 !== p.checksumSha256) throw new PartsRejectedError(`InvalidPart ${p.partNumber}`);
    }
    this.uploads.delete(uploadId);
    this.objects.set(key, { size });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    this.calls.push(`abort ${key} ${uploadId}`);
    this.uploads.delete(uploadId);
  }

  async listMultipartUploads(prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
    return [...this.uploads].filter(([, u]) => u.key.startsWith(prefix)).map(([uploadId, u]) => ({ key: u.key, uploadId }));
  }

  /** A client's PUT arriving. */
  putObject(key: string, size: number): void {
    this.objects.set(key, { size });
  }

  /** A client's UploadPart arriving; returns its ETag. */
  uploadPart(uploadId: string, partNumber: number, size: number, sha256Hex: string): string {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new Error(`no upload ${uploadId}`);
    const etag = `"etag-${partNumber}"`;
    upload.parts.set(partNumber, { partNumber, etag, size, checksumSha256: Buffer.from(sha256Hex, 'hex').toString('base64') });
    return etag;
  }
}

/** Step Functions as the domain sees it: execution names are unique, a repeat with the same input is the same start. */
export class FakeWorkflow implements Workflow {
  readonly starts: Array<{ stateMachine: string; name: string; input: unknown }> = [];
  private readonly executions = new Map<string, string>();

  async start(stateMachine: string, executionName: string, input: unknown): Promise<string> {
    this.starts.push({ stateMachine, name: executionName, input });
    const arn = `arn:aws:states:cn-north-1:000000000000:execution:${stateMachine}:${executionName}`;
    const existing = this.executions.get(arn);
    if (existing !== undefined && existing !== JSON.stringify(input)) {
      throw Object.assign(new Error(`Execution Already Exists: '${arn}'`), { name: 'ExecutionAlreadyExists' });
    }
    this.executions.set(arn, JSON.stringify(input));
    return arn;
  }

  async sendTaskSuccess(): Promise<void> {}
  async sendTaskFailure(): Promise<void> {}
  async sendTaskHeartbeat(): Promise<void> {}
}

const noTables: HolidayTableStore = {
  get: async () => undefined,
  list: async () => [],
  put: async () => {
    throw new Error('read-only');
  },
};

export interface SubmissionWorld {
  readonly identity: FakeIdentity;
  readonly tables: InMemoryTables;
  readonly store: DynamoSubmissionStore;
  readonly objects: FakeObjectStore;
  readonly workflow: FakeWorkflow;
  readonly ports: SubmissionPorts;
  /** The clock; move it with setNow. */
  now: Date;
  setNow(iso: string): void;
  user(userId: string): Promise<Principal>;
  /** Registry items other than the seed, and the audit records: what a refusal must leave unchanged. */
  snapshot(): { registry: number; audit: number };
}

/** 2026-09-21 10:00 in China: a Monday, the week after the completion date the tests use. */
export const defaultNow = '2026-09-21T02:00:00.000Z';

export async function submissionWorld(): Promise<SubmissionWorld> {
  const identity = await FakeIdentity.seeded();
  const tables = identity.tables;
  const store = new DynamoSubmissionStore(new InMemoryRegistryAccess(tables));
  const objects = new FakeObjectStore();
  const workflow = new FakeWorkflow();
  let counter = 0;
  const world: SubmissionWorld = {
    identity,
    tables,
    store,
    objects,
    workflow,
    now: new Date(defaultNow),
    setNow(iso: string) {
      world.now = new Date(iso);
    },
    ports: {
      store,
      identity,
      calendar: () => calendarFromStore(noTables),
      objects,
      workflow,
      now: () => world.now,
      newId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    },
    async user(userId: string) {
      const u = await identity.getUser(userId);
      if (!u) throw new Error(`no seed user ${userId}`);
      return u;
    },
    snapshot() {
      return { registry: tables.scan('registry').length, audit: identity.auditRecords().length };
    },
  };
  return world;
}

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function file(path: string, size = 1000, role: ManifestFile['role'] = 'data'): ManifestFile {
  return { path, size, sha256: sha(path), role };
}

export function catalogue(over: Partial<CatalogueInput> = {}): CatalogueInput {
  return {
    name: '广东省第三次国土调查成果',
    content: '土地利用现状数据库、图件、调查报告与元数据',
    format: 'GeoPackage、Shapefile、GeoTIFF、PDF',
    spatialScope: { regionCode: '440000', bbox: [109.6, 20.1, 117.4, 25.6] },
    timePoint: '2026-06-30',
    classification: 'internal',
    sharingMode: 'online',
    ...over,
  };
}

export const standardFiles: ManifestFile[] = [
  file('data/landuse.gpkg', 19_968),
  file('maps/overview.tif', 474, 'map'),
  file('report/survey-report.pdf', 631, 'report'),
  file('metadata/metadata.xml', 609, 'metadata'),
];

/** A task registered by chen.jing (广东省自然资源厅) for 广东省地质测绘院, completed 2026-09-18. */
export async function registeredTask(world: SubmissionWorld, opts: { completed?: boolean; custodianOrg?: string; reviewOrg?: string; countersignOrgs?: string[] } = {}) {
  const { registerSurveyTask, recordCompletion } = await import('#shared/submission/tasks.ts');
  const task = await registerSurveyTask(
    {
      actor: await world.user('chen.jing'),
      input: {
        name: '2026 年度广东省国土变更调查',
        theme: 'landSurvey',
        regionCode: '440000',
        implementerOrg: '440000-IMP',
        custodianOrg: opts.custodianOrg ?? '440000-CUS',
        ...(opts.reviewOrg ? { reviewOrg: opts.reviewOrg } : {}),
        ...(opts.countersignOrgs ? { countersignOrgs: opts.countersignOrgs } : {}),
      },
      requestId: 'req-task',
    },
    world.ports,
  );
  if (opts.completed === false) return task;
  return (await recordCompletion({ actor: await world.user('li.na'), taskId: task.taskId, completionDate: '2026-09-18', requestId: 'req-done' }, world.ports)).task;
}

export async function openedSubmission(world: SubmissionWorld, files: ManifestFile[] = standardFiles, review: { reviewOrg?: string; countersignOrgs?: string[] } = {}) {
  const task = await registeredTask(world, review);
  const { openSubmission } = await import('#shared/submission/submissions.ts');
  const result = await openSubmission({ actor: await world.user('li.na'), taskId: task.taskId, catalogue: catalogue(), files, requestId: 'req-open' }, world.ports);
  if (result.outcome !== 'opened') throw new Error('expected an opened submission');
  return { task, submission: result.submission };
}

// ---- HTTP -----------------------------------------------------------------------------------

const issuer = 'https://issuer.test/local-auth';
const audience = 'chengguo-test';
const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });

/** The HTTP stack's deps plus the submission ports, for the handlers of other contexts not yet on `handler.with(ports)`. */
export interface SubmissionDeps extends HttpDeps {
  readonly ports: () => SubmissionPorts;
}

export function depsFor(world: SubmissionWorld): SubmissionDeps {
  return { verifier: () => jwtVerifier({ issuer, audience, keys: jwks }), identity: () => world.identity, ports: () => world.ports };
}

/** The test verifier (the keys above) and the world's ports, by the names the submission handlers ask for (`handler.with`). */
export function portsFor(world: SubmissionWorld) {
  const { store, calendar, objects, workflow, now, newId } = world.ports;
  // The correction orders (R19.3) of CreateSubmissionVersion: the quality problems over the world's tables.
  const problems = new DynamoProblemStore(new InMemoryRegistryAccess(world.tables));
  return { verifier: jwtVerifier({ issuer, audience, keys: jwks }), identity: world.identity, submissions: store, calendar, objects, workflow, now, newId, problems };
}

const token = (user: string) =>
  new SignJWT({ 'cognito:username': user, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

export interface HttpCall {
  user?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** The API Gateway request id (default req-http); security records are keyed by it. */
  requestId?: string;
}

type Handler = (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>;
const context = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export async function call(h: Handler, method: string, path: string, req: HttpCall = {}) {
  const bearer = req.user ? await token(req.user) : undefined;
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    ...(req.pathParameters ? { pathParameters: req.pathParameters } : {}),
    ...(req.query ? { queryStringParameters: req.query } : {}),
    ...(req.body !== undefined ? { body: typeof req.body === 'string' ? req.body : JSON.stringify(req.body) } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: req.requestId ?? 'req-http', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
  const res = (await h(event, context)) as APIGatewayProxyStructuredResultV2;
  const type = String(res.headers?.['content-type'] ?? 'application/json');
  // JSON bodies parsed; a file or page (CSV, HTML) stays text.
  return { status: res.statusCode ?? 200, headers: res.headers ?? {}, body: res.body ? (type.startsWith('application/json') ? JSON.parse(res.body) : res.body) : undefined };
}
