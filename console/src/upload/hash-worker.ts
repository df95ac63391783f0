/**
 * The upload's hashing worker: SHA-256 of one file at a time with hash-wasm,
 * read in 4 MiB slices (never the whole file in memory), with the SHA-256 of
 * each part for files that travel in parts (the part URLs are signed with
 * them). Progress is posted per slice.
 */
import { createSHA256 } from 'hash-wasm';

export interface HashRequest {
  readonly id: number;
  readonly file: Blob;
  /** Bytes per part (multipart files only). */
  readonly partSize?: number;
}
export type HashReply =
  | { readonly id: number; readonly type: 'progress'; readonly bytes: number }
  | { readonly id: number; readonly type: 'done'; readonly sha256: string; readonly parts?: string[] }
  | { readonly id: number; readonly type: 'error'; readonly message: string };

const sliceBytes = 4 * 1024 * 1024;

async function hash(req: HashRequest): Promise<{ sha256: string; parts?: string[] }> {
  const whole = await createSHA256();
  const part = req.partSize ? await createSHA256() : undefined;
  const parts: string[] = [];
  let inPart = 0;
  whole.init();
  part?.init();
  for (let offset = 0; offset < req.file.size; ) {
    // A slice never crosses a part boundary, so each part's hash ends exactly at its last byte.
    const room = req.partSize ? req.partSize - inPart : sliceBytes;
    const end = Math.min(req.file.size, offset + Math.min(sliceBytes, room));
    const bytes = new Uint8Array(await req.file.slice(offset, end).arrayBuffer());
    whole.update(bytes);
    if (part && req.partSize) {
      part.update(bytes);
      inPart += bytes.length;
      if (inPart === req.partSize || end === req.file.size) {
        parts.push(part.digest('hex'));
        part.init();
        inPart = 0;
      }
    }
    offset = end;
    postMessage({ id: req.id, type: 'progress', bytes: bytes.length } satisfies HashReply);
  }
  return { sha256: whole.digest('hex'), ...(req.partSize ? { parts } : {}) };
}

onmessage = (event: MessageEvent<HashRequest>) => {
  const req = event.data;
  hash(req).then(
    (r) => postMessage({ id: req.id, type: 'done', ...r } satisfies HashReply),
    (e: unknown) => postMessage({ id: req.id, type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies HashReply),
  );
};
