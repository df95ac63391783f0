/**
 * The upload's hashing worker: SHA-256 of one file at a time with hash-wasm,
 * read in 4 MiB slices (never the whole file in memory) — the whole file's
 * (`whole`), or the SHA-256 of each part for a file that travels in parts
 * (`parts`: the part URLs are signed with them). The two are separate jobs so
 * that two workers hash a large file's whole and its parts at the same time.
 * Progress is posted per slice.
 */
import { createSHA256 } from 'hash-wasm';

export interface HashRequest {
  readonly id: number;
  readonly file: Blob;
  readonly mode: 'whole' | 'parts';
  /** Bytes per part (`parts` only). */
  readonly partSize?: number;
}
export type HashReply =
  | { readonly id: number; readonly type: 'progress'; readonly bytes: number }
  | { readonly id: number; readonly type: 'done'; readonly sha256?: string; readonly parts?: string[] }
  | { readonly id: number; readonly type: 'error'; readonly message: string };

const sliceBytes = 4 * 1024 * 1024;

async function hash(req: HashRequest): Promise<{ sha256?: string; parts?: string[] }> {
  const hasher = await createSHA256();
  const partSize = req.mode === 'parts' ? req.partSize : undefined;
  if (req.mode === 'parts' && !partSize) throw new Error('parts without a part size');
  const parts: string[] = [];
  let inPart = 0;
  hasher.init();
  for (let offset = 0; offset < req.file.size; ) {
    // A slice never crosses a part boundary, so each part's hash ends exactly at its last byte.
    const room = partSize ? partSize - inPart : sliceBytes;
    const end = Math.min(req.file.size, offset + Math.min(sliceBytes, room));
    const bytes = new Uint8Array(await req.file.slice(offset, end).arrayBuffer());
    hasher.update(bytes);
    if (partSize) {
      inPart += bytes.length;
      if (inPart === partSize || end === req.file.size) {
        parts.push(hasher.digest('hex'));
        hasher.init();
        inPart = 0;
      }
    }
    offset = end;
    postMessage({ id: req.id, type: 'progress', bytes: bytes.length } satisfies HashReply);
  }
  return partSize ? { parts } : { sha256: hasher.digest('hex') };
}

onmessage = (event: MessageEvent<HashRequest>) => {
  const req = event.data;
  hash(req).then(
    (r) => postMessage({ id: req.id, type: 'done', ...r } satisfies HashReply),
    (e: unknown) => postMessage({ id: req.id, type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies HashReply),
  );
};
