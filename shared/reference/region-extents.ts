import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

/**
 * Region extents from a department's own boundary data (issue 12, docs/regions.md): the bounding box of each
 * province, city and county the department's licensed boundary file covers, built by
 * `npm run regions:extents -- --from <file.geojson> --licence … --attribution …` (scripts/build-region-extents.ts)
 * into shared/reference/region-extents.json. No such file ships with the project: no boundary data for PRC cities
 * and counties under a licence that allows redistribution was found in the registries the project may use, so
 * without it the extent check uses the provincial boxes of regions.ts and says so.
 *
 * The table is read from a file at first use, not bundled: nearly every Lambda carries regions.ts and several are at
 * the 250 KB limit, so ~3,000 boxes (tens of KB) must not go into the JavaScript. The bundling copies the file, when
 * it exists, next to each function's index.mjs (infra/constructs/bundling.ts); locally it is read where it is built.
 */

/** [west, south, east, north] in degrees, CGCS2000 longitude/latitude. */
export type ExtentBbox = readonly [number, number, number, number];

export interface RegionExtentsSource {
  /** The file it was built from, as the department named it, and its SHA-256. */
  readonly file: string;
  readonly sha256: string;
  /** The licence under which the department holds the boundaries, and the attribution it requires. */
  readonly licence: string;
  readonly attribution: string;
  readonly builtAt: string;
}

export interface RegionExtents {
  readonly source: RegionExtentsSource;
  readonly boxes: ReadonlyMap<string, ExtentBbox>;
}

export const regionExtentsFormat = 'chengguo-region-extents/1';
/** Coordinates are stored as integers in this unit (0.001° ≈ 100 m), each box rounded outward. */
export const EXTENT_UNIT_DEGREES = 0.001;

/** The file as written by the build script: the source's particulars and the boxes, Brotli-compressed, base64. */
export interface RegionExtentsFile extends RegionExtentsSource {
  readonly format: typeof regionExtentsFormat;
  readonly counts: Readonly<Record<'provincial' | 'municipal' | 'county' | 'derived', number>>;
  /** Brotli, base64: one line per region, "code west south east north", integers in EXTENT_UNIT_DEGREES. */
  readonly boxes: string;
}

export function parseRegionExtents(text: string): RegionExtents {
  const file = JSON.parse(text) as RegionExtentsFile;
  if (file.format !== regionExtentsFormat) throw new Error(`region extents: format ${String(file.format)}, expected ${regionExtentsFormat}`);
  const boxes = new Map<string, ExtentBbox>();
  const lines = brotliDecompressSync(Buffer.from(file.boxes, 'base64')).toString('utf8').split('\n');
  for (const line of lines) {
    if (!line) continue;
    const [code, ...rest] = line.split(' ');
    const n = rest.map((v) => Number(v) * EXTENT_UNIT_DEGREES);
    if (!/^\d{6}$/.test(code ?? '') || n.length !== 4 || !n.every(Number.isFinite)) throw new Error(`region extents: bad line "${line}"`);
    boxes.set(code!, [n[0]!, n[1]!, n[2]!, n[3]!]);
  }
  const { file: name, sha256, licence, attribution, builtAt } = file;
  return { source: { file: name, sha256, licence, attribution, builtAt }, boxes };
}

/** The file's name: next to this module when run from source, next to index.mjs in a Lambda (copied by the bundling). */
export const regionExtentsFileName = 'region-extents.json';

/** The table in `file`, or undefined when there is none (the project ships none) or it cannot be read (a browser). */
export function loadRegionExtents(file?: URL | string): RegionExtents | undefined {
  let text: string;
  try {
    // A variable, not a literal: the console's bundler would otherwise copy the file into the public site.
    text = readFileSync(file ?? new URL(regionExtentsFileName, import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
  // A file that is there but broken is a deployment error: say so rather than check against nothing.
  return parseRegionExtents(text);
}

let loaded: { readonly extents: RegionExtents | undefined } | undefined;
/** The deployment's table, read once. */
export function regionExtents(): RegionExtents | undefined {
  loaded ??= { extents: loadRegionExtents() };
  return loaded.extents;
}
