import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import * as z from 'zod/mini';
import { grantViewSchema } from '#shared/schemas/sharing.ts';
import { CliError } from './errors.ts';
import { formatBytes } from './progress.ts';

/**
 * `chengguo download <grant>` (R16.1): every file of a sharing grant into
 * `<out>/data/<number>/<path>` — BagIt layout, with bagit.txt and the grant's
 * manifest-sha256.txt — through the API's 302 to a presigned URL of minutes.
 * A file is written to `<file>.part` first; a rerun asks for a fresh URL and
 * continues with `Range: bytes=<what is there>-`; each file is checked against
 * the grant's SHA-256 before it takes its name. A file already complete and
 * correct is left as it is.
 */
export interface DownloadIo {
  readonly apiUrl: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  readonly write: (text: string) => void;
}

const grantResponse = z.object({ grant: grantViewSchema });

async function apiJson<T>(io: DownloadIo, path: string, schema: z.ZodMiniType<T>): Promise<T> {
  const res = await io.fetch(`${io.apiUrl}${path}`, { headers: { authorization: `Bearer ${io.token}`, accept: 'application/json' } });
  const text = await res.text();
  if (!res.ok) throw new CliError('API_ERROR', apiMessage(res.status, text));
  return schema.parse(JSON.parse(text));
}

function apiMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: string } };
    if (body.error?.message) return `${body.error.message}（HTTP ${status} ${body.error.code ?? ''}）`;
  } catch {
    // not JSON
  }
  return `接口返回 HTTP ${status}`;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A local path inside `root` for a grant path (never outside it, whatever the path says). */
function inside(root: string, ...parts: string[]): string {
  const target = resolve(root, ...parts);
  if (!target.startsWith(resolve(root) + sep)) throw new CliError('BAD_PATH', `文件路径不安全：${parts.join('/')}`);
  return target;
}

export async function runDownload(io: DownloadIo, grantId: string, out: string): Promise<{ files: number; bytes: number; skipped: number }> {
  const enc = encodeURIComponent(grantId);
  const { grant } = await apiJson(io, `/sharing/grants/${enc}`, grantResponse);
  io.write(`共享授权 ${grant.grantId}：${grant.files.length} 个文件，使用期限 ${grant.from} 至 ${grant.to}（${grant.statusLabel}）\n`);
  let bytes = 0;
  let skipped = 0;
  // The result files, then (R18.1) the grant's 用途声明 at data/用途声明.txt: the package always carries its purpose.
  const items = [
    ...grant.files.map((f) => ({ ...f, label: `${f.resultNumber}/${f.path}`, parts: [f.resultNumber, ...f.path.split('/')] })),
    ...(grant.notice ? [{ ...grant.notice, label: grant.notice.path, parts: [grant.notice.path] }] : []),
  ];
  for (const f of items) {
    const target = inside(out, 'data', ...f.parts);
    const part = `${target}.part`;
    if ((await sizeOf(target)) === f.size && (await sha256Of(target)) === f.sha256) {
      skipped += 1;
      io.write(`  已有且校验一致：${f.label}\n`);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    let have = (await sizeOf(part)) ?? 0;
    if (have > f.size) have = 0;
    if (have < f.size) {
      // A fresh URL for every attempt: a URL lives minutes, a resumed file may be days later.
      const redirect = await io.fetch(`${io.apiUrl}/sharing/grants/${enc}/files/${f.fileNo}`, { headers: { authorization: `Bearer ${io.token}` }, redirect: 'manual' });
      const location = redirect.headers.get('location');
      if (redirect.status !== 302 || !location) throw new CliError('API_ERROR', apiMessage(redirect.status, await redirect.text()));
      const res = await io.fetch(location, have > 0 ? { headers: { range: `bytes=${have}-` } } : {});
      if (!(res.status === 206 || (res.status === 200 && have === 0)) || !res.body) throw new CliError('DOWNLOAD_FAILED', `下载 ${f.path} 失败：HTTP ${res.status}`);
      if (have > 0) io.write(`  续传 ${f.label}：从 ${formatBytes(have)} 处继续\n`);
      // Progress: a line every tenth of the file (at least every 64 MiB).
      let done = have;
      const step = Math.max(Math.ceil(f.size / 10), 64 * 1024 * 1024);
      let mark = done + step;
      const progress = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          done += chunk.length;
          if (done >= mark && done < f.size) {
            io.write(`    ${f.path}：${formatBytes(done)} / ${formatBytes(f.size)}（${Math.floor((done / f.size) * 100)}%）\n`);
            mark = done + step;
          }
          cb(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(res.body as never), progress, createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
    }
    const got = await sha256Of(part);
    if (got !== f.sha256) {
      await writeFile(part, '');
      throw new CliError('CHECKSUM_MISMATCH', `${f.label} 的 SHA-256 与授权清单不一致（收到 ${got}，应为 ${f.sha256}）；已丢弃，重新运行即可重新下载`);
    }
    await rename(part, target);
    bytes += f.size - have;
    io.write(`  已下载并校验：${f.label}（${formatBytes(f.size)}）\n`);
  }
  const manifest = await io.fetch(`${io.apiUrl}/sharing/grants/${enc}/manifest`, { headers: { authorization: `Bearer ${io.token}` } });
  if (!manifest.ok) throw new CliError('API_ERROR', apiMessage(manifest.status, await manifest.text()));
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'manifest-sha256.txt'), await manifest.text());
  await writeFile(join(out, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  io.write(`完成：${items.length - skipped} 个文件下载并校验，${skipped} 个已有；BagIt 清单 ${join(out, 'manifest-sha256.txt')}\n`);
  return { files: items.length, bytes, skipped };
}
