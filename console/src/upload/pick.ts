/**
 * A package folder as the browser gives it: picked with <input webkitdirectory> or dropped (a
 * directory entry walked with the File System entries API). Left out as the CLI leaves them out
 * (cli/walk.ts): dot files and dot folders, and the CLI's own files at the root — catalogue.json
 * there is read as the R9.2 catalogue instead.
 */
export interface PickedFile {
  /** Relative POSIX path inside the package (the picked folder's own name removed). */
  readonly path: string;
  readonly file: File;
}

export interface PickedFolder {
  readonly name: string;
  readonly files: PickedFile[];
  /** The root's catalogue.json, if any. */
  readonly catalogueFile?: File;
}

const ownFiles = new Set(['manifest.json', 'chengguo.roles.json', 'catalogue.json']);

export function folderOf(name: string, all: ReadonlyArray<PickedFile>): PickedFolder {
  const files: PickedFile[] = [];
  let catalogueFile: File | undefined;
  for (const f of all) {
    if (f.path.split('/').some((s) => s.startsWith('.'))) continue;
    if (ownFiles.has(f.path)) {
      if (f.path === 'catalogue.json') catalogueFile = f.file;
      continue;
    }
    files.push(f);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { name, files, ...(catalogueFile ? { catalogueFile } : {}) };
}

/** From <input type="file" webkitdirectory>: webkitRelativePath is "<folder>/<path>". */
export function fromInput(list: FileList): PickedFolder {
  const all: PickedFile[] = [];
  let name = '';
  for (const file of Array.from(list)) {
    const rel = file.webkitRelativePath || file.name;
    const cut = rel.indexOf('/');
    name ||= cut > 0 ? rel.slice(0, cut) : '';
    all.push({ path: cut > 0 ? rel.slice(cut + 1) : rel, file });
  }
  return folderOf(name, all);
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (100 in Chromium) until it answers with none.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: PickedFile[]): Promise<void> {
  for (const entry of await readAll(dir.createReader())) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, path, out);
    else if (entry.isFile) out.push({ path, file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)) });
  }
}

/** From a drop: exactly one folder is expected; undefined when something else was dropped. */
export async function fromDrop(items: DataTransferItemList): Promise<PickedFolder | undefined> {
  const entries = Array.from(items)
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  const dir = entries.length === 1 && entries[0]?.isDirectory ? (entries[0] as FileSystemDirectoryEntry) : undefined;
  if (!dir) return undefined;
  const all: PickedFile[] = [];
  await walk(dir, '', all);
  return folderOf(dir.name, all);
}
