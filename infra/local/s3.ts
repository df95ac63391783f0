/**
 * The local S3: s3rver 3.7.1 (objects streamed to and from files under the
 * data folder, never held whole in memory) behind a thin front that adds
 * what the product needs and s3rver lacks or gets wrong:
 *
 *   ListParts                 GET  /b/k?uploadId=…        (resume after a crash; a copied part's
 *                                                          ChecksumSHA256 as S3 lists it)
 *   ListMultipartUploads      GET  /b?uploads              (abort orphans; a resumed custody copy
 *                                                          finds its upload and its Initiated time)
 *   AbortMultipartUpload      DELETE /b/k?uploadId=…
 *   UploadPartCopy            PUT  /b/k?partNumber&uploadId + x-amz-copy-source
 *                                                          (custody copies above 5 GiB): ranges
 *                             (x-amz-copy-source-range), x-amz-copy-source-if-match (412),
 *                             the range's SHA-256 in CopyPartResult when the upload was
 *                             created with ChecksumAlgorithm SHA256
 *   CompleteMultipartUpload   POST /b/k?uploadId=…        — checks every part's ETag
 *                             (InvalidPart), order (InvalidPartOrder) and the 5 MiB
 *                             minimum (EntityTooSmall) as S3 does; s3rver checks none,
 *                             and streams the parts into a temporary file renamed into
 *                             place, so a reader never sees half an object
 *   HeadObject ?partNumber    a completed multipart object's part length, ETag and
 *                             x-amz-mp-parts-count (its layout kept beside it at Complete)
 *   If-None-Match: *          on PutObject, CopyObject and CompleteMultipartUpload → 412
 *   ListObjectVersions        GET  /b?versions → NotImplemented (no versioning here)
 *   ListObjectsV2             GET  /b?list-type=2          s3rver's listing with a token of
 *                             this front's: s3rver's own is DES-sealed, which OpenSSL 3
 *                             refuses, so a listing past 1,000 keys answered 500
 *   CORS                      the console's browser upload (issue 13): the uploads bucket's rule on
 *                             AWS (infra/constructs/uploads-cors.ts) for the console's origin only —
 *                             preflights answered (or 403), ETag readable; and the custody bucket's
 *                             (grant downloads: GET/HEAD only); other buckets none. s3rver would need
 *                             per-bucket XML for it
 *
 * Everything else goes to s3rver unchanged. Why s3rver and not fauxqs (which
 * the local cloud used before): fauxqs 2.4.1 parses every request body into
 * one Buffer (11 MiB limit) and concatenates a multipart object's parts in
 * memory, so 11 MiB–100 MiB single PUTs fail with 413 and objects of 2 GiB
 * or more can never be completed — see README "Known differences" for the
 * measurements. Neither emulator checks x-amz-checksum-sha256 against the
 * bytes: the verifier and the integrity audit stream and hash locally.
 *
 * The layout on disk is s3rver's own (FilesystemStore):
 *   <dir>/<bucket>/<key dirs>/<name>._S3rver_object (+ .md5, ._S3rver_metadata.json)
 *   <dir>/<bucket>/._S3rver_uploads/<uploadId>/{key, metadata, <n>, <n>.md5}
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { uploadsCors, type ConsoleCorsRule } from '../constructs/uploads-cors.ts';
import { once } from 'node:events';

const require = createRequire(import.meta.url);

interface S3rverApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  configureBuckets(): Promise<unknown>;
}

/** S3's minimum size of every part but the last. */
const minPartBytes = 5 * 1024 * 1024;
const suffix = (name: string, resource: string) => `${name}._S3rver_${resource}`;

export interface LocalS3 {
  readonly server: Server;
  stop(): Promise<void>;
}

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function sendXml(res: ServerResponse, status: number, body: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, req: IncomingMessage, error: S3Failure): void {
  // A refused upload must not leave its body unread on a kept-alive socket.
  req.resume();
  sendXml(res, error.status, `<Error><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error>`);
}

async function readSmallBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new S3Failure(400, 'MaxMessageLengthExceeded', 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Streams files (or ranges) into `target` via a temporary file renamed into place; returns size, MD5 and SHA-256 (base64). */
async function writeConcatenated(target: string, sources: ReadonlyArray<{ path: string; start?: number; end?: number }>): Promise<{ size: number; md5: string; sha256: string }> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${randomUUID()}.tmp`;
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  const out = createWriteStream(temp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  try {
    for (const s of sources) {
      for await (const chunk of createReadStream(s.path, { start: s.start, end: s.end, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        md5.update(chunk);
        sha256.update(chunk);
        size += chunk.length;
        // Back-pressure: at most one chunk waits in memory.
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      }
    }
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    await rename(temp, target);
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  }
  return { size, md5: md5.digest('hex'), sha256: sha256.digest('base64') };
}

export class LocalS3Store {
  constructor(readonly dir: string) {}

  objectPath(bucket: string, key: string, resource = 'object'): string {
    const parts = key.split('/');
    const name = parts.pop() as string;
    return join(this.dir, bucket, ...parts, suffix(name, resource));
  }

  uploadDir(bucket: string, uploadId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(uploadId)) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
    return join(this.dir, bucket, suffix('', 'uploads'), uploadId);
  }

  async upload(bucket: string, uploadId: string): Promise<{ dir: string; key: string }> {
    const dir = this.uploadDir(bucket, uploadId);
    try {
      return { dir, key: await readFile(join(dir, 'key'), 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
      throw error;
    }
  }

  async parts(dir: string): Promise<Array<{ partNumber: number; size: number; etag: string; lastModified: Date; sha256?: string }>> {
    const names = (await readdir(dir)).filter((n) => /^\d+$/.test(n));
    const out = await Promise.all(
      names.map(async (n) => {
        const [st, md5, sha256] = await Promise.all([
          stat(join(dir, n)),
          readFile(join(dir, `${n}.md5`), 'utf8').catch(() => undefined),
          readFile(join(dir, `${n}.sha256`), 'utf8').catch(() => undefined),
        ]);
        // A part whose .md5 is not written yet is still arriving: not listed.
        return md5 ? { partNumber: Number(n), size: st.size, etag: `"${md5}"`, lastModified: st.mtime, ...(sha256 ? { sha256 } : {}) } : undefined;
      }),
    );
    return out.filter((p): p is NonNullable<typeof p> => p !== undefined).sort((a, b) => a.partNumber - b.partNumber);
  }
}

function parsePath(url: URL): { bucket: string; key: string } {
  const path = url.pathname.slice(1);
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decodeURIComponent(path), key: '' };
  return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
}

function parseCopySource(header: string): { bucket: string; key: string } {
  const raw = decodeURIComponent(header.split('?')[0] as string).replace(/^\//, '');
  const slash = raw.indexOf('/');
  if (slash <= 0) throw new S3Failure(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  return { bucket: raw.slice(0, slash), key: raw.slice(slash + 1) };
}

/** The operations the front answers itself; undefined → s3rver. */
async function handle(store: LocalS3Store, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const q = url.searchParams;
  const { bucket, key } = parsePath(url);
  if (!bucket) return false;
  const method = req.method ?? 'GET';

  if (!key) {
    if (method === 'GET' && q.has('versions')) throw new S3Failure(501, 'NotImplemented', 'A parameter you provided implies functionality that is not implemented');
    if (method === 'GET' && q.has('uploads')) {
      await listMultipartUploads(store, bucket, q.get('prefix') ?? '', res);
      return true;
    }
    if (method === 'GET' && q.get('list-type') === '2') {
      await listObjectsV2(store, bucket, q, res);
      return true;
    }
    return false;
  }

  if (method === 'GET' && q.has('uploadId')) {
    const { dir, key: uploadKey } = await store.upload(bucket, q.get('uploadId') as string);
    if (uploadKey !== key) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
    const marker = Number(q.get('part-number-marker') ?? 0);
    const max = Math.min(1000, Number(q.get('max-parts') ?? 1000));
    const all = (await store.parts(dir)).filter((p) => p.partNumber > marker);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    sendXml(
      res,
      200,
      `<ListPartsResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(q.get('uploadId') as string)}</UploadId>` +
        `<PartNumberMarker>${marker}</PartNumberMarker>${truncated ? `<NextPartNumberMarker>${page[page.length - 1]?.partNumber}</NextPartNumberMarker>` : ''}` +
        `<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
        page
          .map(
            (p) =>
              `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(p.etag)}</ETag>` +
              `${p.sha256 ? `<ChecksumSHA256>${p.sha256}</ChecksumSHA256>` : ''}<Size>${p.size}</Size></Part>`,
          )
          .join('') +
        `</ListPartsResult>`,
    );
    return true;
  }

  if (method === 'DELETE' && q.has('uploadId')) {
    const { dir, key: uploadKey } = await store.upload(bucket, q.get('uploadId') as string);
    if (uploadKey !== key) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
    await rm(dir, { recursive: true, force: true });
    req.resume();
    res.writeHead(204);
    res.end();
    return true;
  }

  if (method === 'PUT' && q.has('uploadId') && q.has('partNumber') && req.headers['x-amz-copy-source']) {
    await uploadPartCopy(store, bucket, key, q, req, res);
    return true;
  }

  if (method === 'POST' && q.has('uploadId')) {
    await completeMultipartUpload(store, bucket, key, q.get('uploadId') as string, req, res);
    return true;
  }

  if (method === 'HEAD' && q.has('partNumber')) return headPart(store, bucket, key, Number(q.get('partNumber')), req, res);

  if (method === 'PUT' && !q.has('uploadId') && !q.has('partNumber') && !q.has('tagging') && !q.has('acl') && req.headers['if-none-match'] === '*' && (await exists(store.objectPath(bucket, key)))) {
    throw new S3Failure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  // An object written or removed by s3rver is no longer the multipart object its part layout described.
  if ((method === 'PUT' && !q.has('uploadId') && !q.has('partNumber') && !q.has('tagging') && !q.has('acl')) || (method === 'DELETE' && !q.has('uploadId'))) {
    await rm(store.objectPath(bucket, key, 'parts.json'), { force: true });
  }
  return false;
}

/**
 * HeadObject with partNumber, as S3 answers it for an object completed from
 * parts: that part's length, the object's ETag and x-amz-mp-parts-count
 * (the layout is kept beside the object at Complete). An object put in one
 * piece has no layout: s3rver answers with the whole object, as S3 does for
 * partNumber 1.
 */
async function headPart(store: LocalS3Store, bucket: string, key: string, partNumber: number, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const layout = JSON.parse(await readFile(store.objectPath(bucket, key, 'parts.json'), 'utf8').catch(() => 'null')) as number[] | null;
  if (!layout) return false;
  const size = layout[partNumber - 1];
  if (!Number.isInteger(partNumber) || size === undefined) throw new S3Failure(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable');
  const [st, etag] = await Promise.all([stat(store.objectPath(bucket, key)), readFile(store.objectPath(bucket, key, 'object.md5'), 'utf8')]);
  req.resume();
  res.writeHead(206, {
    'content-length': String(size),
    etag: `"${etag.trim().replace(/"/g, '')}"`,
    'last-modified': st.mtime.toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-mp-parts-count': String(layout.length),
  });
  res.end();
  return true;
}

interface S3rverListing {
  objects: Array<{ key: string; size: number; lastModifiedDate: Date; metadata: Record<string, string> }>;
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface S3rverStore {
  getBucket(bucket: string): Promise<unknown>;
  listObjects(bucket: string, options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number }): Promise<S3rverListing>;
}
const s3rverStores = new Map<string, S3rverStore>();

/** The continuation token of ListObjectsV2: the last key of the page, opaque to the client. */
export const continuationToken = {
  of: (key: string) => Buffer.from(`chengguo-local:${key}`, 'utf8').toString('base64url'),
  key(token: string): string {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    if (!text.startsWith('chengguo-local:')) throw new S3Failure(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    return text.slice('chengguo-local:'.length);
  },
};

/**
 * ListObjectsV2 with s3rver's own listing (its FilesystemStore) but this
 * front's continuation token: s3rver seals its token with DES, which
 * OpenSSL 3 (every supported Node) refuses, so any listing of more than
 * 1,000 keys answered 500 InternalError — a package of more than 1,000
 * files could not ask for its upload URLs (issue 10).
 */
async function listObjectsV2(store: LocalS3Store, bucket: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const FilesystemStore = require('s3rver/lib/stores/filesystem.js') as new (dir: string) => S3rverStore;
  let fs = s3rverStores.get(store.dir);
  if (!fs) s3rverStores.set(store.dir, (fs = new FilesystemStore(store.dir)));
  if (!(await fs.getBucket(bucket))) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist');
  const rawMax = q.get('max-keys');
  if (rawMax !== null && !/^\d+$/.test(rawMax)) throw new S3Failure(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const maxKeys = Math.min(1000, rawMax === null ? 1000 : Number(rawMax));
  const token = q.get('continuation-token');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = token ? continuationToken.key(token) : (q.get('start-after') ?? '');
  const listed: S3rverListing =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : await fs.listObjects(bucket, { ...(prefix ? { prefix } : {}), ...(delimiter ? { delimiter } : {}), ...(startAfter ? { startAfter } : {}), maxKeys });
  const last = listed.objects[listed.objects.length - 1]?.key;
  const tag = (name: string, value: string | number | boolean) => `<${name}>${xmlEscape(String(value))}</${name}>`;
  sendXml(
    res,
    200,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${tag('Name', bucket)}${tag('Prefix', prefix)}` +
      (token ? tag('ContinuationToken', token) : startAfter ? tag('StartAfter', startAfter) : '') +
      (listed.isTruncated && last !== undefined ? tag('NextContinuationToken', continuationToken.of(last)) : '') +
      `${tag('KeyCount', listed.objects.length + listed.commonPrefixes.length)}${tag('MaxKeys', rawMax ?? 1000)}${delimiter ? tag('Delimiter', delimiter) : ''}${tag('IsTruncated', listed.isTruncated)}` +
      listed.objects
        .map((o) => `<Contents>${tag('Key', o.key)}${tag('LastModified', o.lastModifiedDate.toISOString())}${tag('ETag', o.metadata['etag'] ?? '')}${tag('Size', o.size)}<StorageClass>STANDARD</StorageClass></Contents>`)
        .join('') +
      listed.commonPrefixes.map((p) => `<CommonPrefixes>${tag('Prefix', p)}</CommonPrefixes>`).join('') +
      `</ListBucketResult>`,
  );
}

async function listMultipartUploads(store: LocalS3Store, bucket: string, prefix: string, res: ServerResponse): Promise<void> {
  const root = join(store.dir, bucket, suffix('', 'uploads'));
  const ids = (await exists(root)) ? await readdir(root) : [];
  const uploads = (
    await Promise.all(
      ids.map(async (id) => {
        const key = await readFile(join(root, id, 'key'), 'utf8').catch(() => undefined);
        // Initiated: when s3rver wrote the upload's key file at CreateMultipartUpload (never rewritten; birthtime is not on every filesystem).
        const st = await stat(join(root, id, 'key')).catch(() => undefined);
        return key !== undefined && key.startsWith(prefix) && st ? { id, key, initiated: st.mtime } : undefined;
      }),
    )
  )
    .filter((u): u is NonNullable<typeof u> => u !== undefined)
    .sort((a, b) => (a.key === b.key ? (a.id < b.id ? -1 : 1) : a.key < b.key ? -1 : 1));
  sendXml(
    res,
    200,
    `<ListMultipartUploadsResult><Bucket>${xmlEscape(bucket)}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix><IsTruncated>false</IsTruncated>` +
      uploads.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('') +
      `</ListMultipartUploadsResult>`,
  );
}

async function uploadPartCopy(store: LocalS3Store, bucket: string, key: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const partNumber = Number(q.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw new S3Failure(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
  const { dir, key: uploadKey } = await store.upload(bucket, q.get('uploadId') as string);
  if (uploadKey !== key) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
  const source = parseCopySource(String(req.headers['x-amz-copy-source']));
  const sourcePath = store.objectPath(source.bucket, source.key);
  const st = await stat(sourcePath).catch(() => undefined);
  if (!st) throw new S3Failure(404, 'NoSuchKey', 'The specified key does not exist.');
  // x-amz-copy-source-if-match: every range of one copy reads the same source object (S3: 412 otherwise).
  const ifMatch = req.headers['x-amz-copy-source-if-match'];
  if (ifMatch) {
    const etag = (await readFile(store.objectPath(source.bucket, source.key, 'object.md5'), 'utf8').catch(() => '')).trim();
    if (String(ifMatch).replace(/"/g, '') !== etag.replace(/"/g, '')) throw new S3Failure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  let start = 0;
  let end = st.size - 1;
  const range = req.headers['x-amz-copy-source-range'];
  if (range) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(String(range));
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= st.size) throw new S3Failure(400, 'InvalidRange', 'The requested range is not satisfiable');
    start = Number(m[1]);
    end = Number(m[2]);
  }
  req.resume();
  const partPath = join(dir, String(partNumber));
  await rm(`${partPath}.md5`, { force: true });
  await rm(`${partPath}.sha256`, { force: true });
  const { md5, sha256 } = end >= start ? await writeConcatenated(partPath, [{ path: sourcePath, start, end }]) : await writeEmpty(partPath);
  // The copied range's SHA-256, as S3 returns it (here and in ListParts) for an upload created with ChecksumAlgorithm SHA256 (the front computes it; it is not checked at Complete).
  const algorithm = JSON.parse(await readFile(join(dir, 'metadata'), 'utf8').catch(() => '{}')) as Record<string, string>;
  const withSha256 = algorithm['x-amz-checksum-algorithm']?.toUpperCase() === 'SHA256';
  if (withSha256) await writeFile(`${partPath}.sha256`, sha256);
  await writeFile(`${partPath}.md5`, md5);
  const checksum = withSha256 ? `<ChecksumSHA256>${sha256}</ChecksumSHA256>` : '';
  sendXml(res, 200, `<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag>${checksum}</CopyPartResult>`);
}

async function writeEmpty(path: string): Promise<{ size: number; md5: string; sha256: string }> {
  await writeFile(path, '');
  return { size: 0, md5: createHash('md5').digest('hex'), sha256: createHash('sha256').digest('base64') };
}

async function completeMultipartUpload(store: LocalS3Store, bucket: string, key: string, uploadId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readSmallBody(req);
  const { dir, key: uploadKey } = await store.upload(bucket, uploadId);
  if (uploadKey !== key) throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist.');
  const requested = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1] as string)?.[1]),
    etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1] as string)?.[1] ?? '').replace(/&quot;|"/g, ''),
  }));
  if (requested.length === 0) throw new S3Failure(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  for (let i = 1; i < requested.length; i += 1) {
    if ((requested[i]?.partNumber ?? 0) <= (requested[i - 1]?.partNumber ?? 0)) throw new S3Failure(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
  }
  const have = new Map((await store.parts(dir)).map((p) => [p.partNumber, p]));
  const chosen = requested.map((r, i) => {
    const part = have.get(r.partNumber);
    if (!part || part.etag.replace(/"/g, '') !== r.etag) {
      throw new S3Failure(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.');
    }
    if (i < requested.length - 1 && part.size < minPartBytes) throw new S3Failure(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
    return part;
  });
  const target = store.objectPath(bucket, key);
  if (req.headers['if-none-match'] === '*' && (await exists(target))) {
    throw new S3Failure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  }
  await writeConcatenated(
    target,
    chosen.map((p) => ({ path: join(dir, String(p.partNumber)) })),
  );
  // S3's multipart ETag: MD5 of the parts' MD5s, then -<parts>.
  const etag = `${createHash('md5')
    .update(Buffer.concat(chosen.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex'))))
    .digest('hex')}-${chosen.length}`;
  const initiated = JSON.parse(await readFile(join(dir, 'metadata'), 'utf8').catch(() => '{}')) as Record<string, string>;
  const kept = Object.fromEntries(
    Object.entries(initiated).filter(([k]) => ['content-type', 'content-encoding', 'content-disposition', 'cache-control', 'expires'].includes(k) || k.startsWith('x-amz-meta-')),
  );
  await writeFile(store.objectPath(bucket, key, 'metadata.json'), JSON.stringify(kept));
  await writeFile(store.objectPath(bucket, key, 'object.md5'), etag);
  await writeFile(store.objectPath(bucket, key, 'parts.json'), JSON.stringify(chosen.map((p) => p.size)));
  await rm(dir, { recursive: true, force: true });
  sendXml(
    res,
    200,
    `<CompleteMultipartUploadResult><Location>/${xmlEscape(bucket)}/${xmlEscape(key)}</Location><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`,
  );
}

/**
 * The browser upload's cross-origin rule, as the uploads bucket's on AWS (infra/constructs/uploads-cors.ts):
 * the console's origin only (`consoleOrigins`: the local cloud's address, as 127.0.0.1 and as localhost) may
 * PUT/GET/HEAD with the signed headers and read the ETag it needs to complete a multipart upload. A preflight
 * is answered here (true): allowed, or 403 as S3 answers one the rule does not cover (another origin, method or
 * header). Otherwise the headers are added for an allowed origin and the request goes on (false).
 */
export function cors(req: IncomingMessage, res: ServerResponse, consoleOrigins: readonly string[], ruleOf: (bucket: string) => ConsoleCorsRule | undefined = () => uploadsCors): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  // Path-style (/<bucket>/<key>): the bucket's own rule; a bucket without one lets no origin in.
  const rule = ruleOf((req.url ?? '/').split('?')[0]!.split('/')[1] ?? '');
  const allowed = origin !== undefined && consoleOrigins.includes(origin) && rule !== undefined;
  if (preflight) {
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    const known: readonly string[] = rule?.allowedHeaders ?? [];
    const methods: readonly string[] = rule?.methods ?? [];
    if (!allowed || !rule || !methods.includes(method) || !asked.every((h) => known.includes(h))) {
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    res.writeHead(200, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': rule.methods.join(', '),
      ...(asked.length > 0 ? { 'access-control-allow-headers': asked.join(', ') } : {}),
      'access-control-expose-headers': rule.exposedHeaders.join(', '),
      'access-control-max-age': String(rule.maxAgeSeconds),
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    res.end();
    return true;
  }
  if (allowed && rule.methods.includes(String(req.method).toUpperCase() as ConsoleCorsRule['methods'][number])) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', rule.exposedHeaders.join(', '));
    res.setHeader('vary', 'Origin');
  }
  return false;
}

/**
 * Starts the local S3 on 127.0.0.1:`port` with `buckets` created. Neither
 * the access key nor the signature of a request is checked (as with fauxqs
 * before): the presigned URLs' signed headers are proven by unit tests with
 * the real presigner instead.
 */
export async function startLocalS3(opts: {
  port: number;
  dir: string;
  buckets: readonly string[];
  consoleOrigins?: readonly string[];
  /** Each bucket's rule for the console's origin, as on AWS; absent: the uploads rule for every bucket. */
  corsRules?: Readonly<Record<string, ConsoleCorsRule>>;
}): Promise<LocalS3> {
  await mkdir(opts.dir, { recursive: true });
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverApp;
  // Any access key is accepted, as by every emulator here (s3rver knows only S3RVER and does not check V4 signatures).
  const account = require('s3rver/lib/models/account.js') as { registry: Map<string, unknown>; DUMMY_ACCOUNT: unknown };
  const known = account.registry;
  known.get = (id: string) => Map.prototype.get.call(known, id) ?? account.DUMMY_ACCOUNT;
  const app = new S3rver({
    silent: true,
    directory: opts.dir,
    allowMismatchedSignatures: true,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  await app.configureBuckets();
  const store = new LocalS3Store(opts.dir);
  const forward = app.callback();
  const server = createServer((req, res) => {
    if (cors(req, res, opts.consoleOrigins ?? [], opts.corsRules ? (bucket) => opts.corsRules![bucket] : undefined)) return;
    handle(store, req, res).then(
      (done) => {
        if (!done) forward(req, res);
      },
      (error: unknown) => {
        if (res.headersSent) {
          res.destroy(error as Error);
          return;
        }
        sendError(res, req, error instanceof S3Failure ? error : new S3Failure(500, 'InternalError', (error as Error).message));
      },
    );
  });
  // Uploads of several GiB take minutes: no request timeout (Node's default is 5 min).
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
