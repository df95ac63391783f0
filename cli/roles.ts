import * as z from 'zod/mini';
import { fileRoleSchema, type FileRole } from '#shared/reference/themes.ts';

/**
 * What each file of a package is (data / map / report / metadata /
 * technical document), by convention, overridable per package with a
 * `chengguo.roles.json` at the package root:
 *
 *   { "rules": [ { "match": "docs/**", "role": "technicalDocument" },
 *                { "match": "**\/*接图表*.pdf", "role": "map" } ] }
 *
 * or the short form `{ "docs/**": "technicalDocument" }`. Patterns are globs
 * on the relative path (`*` within a folder name, `**` across folders, `?`
 * one character), case-insensitive; the first matching rule wins, then the
 * convention:
 *  1. a folder named for a role (maps/图件 → map, report/报告 → report,
 *     metadata/元数据 → metadata, docs/技术文档 → technicalDocument,
 *     data/数据 → data), the innermost such folder deciding;
 *  2. otherwise the extension: *.xml → metadata; GIS formats (shp, shx, dbf,
 *     prj, cpg, tif, gpkg, …) → data; pdf/doc/docx/wps/ofd → report when the
 *     name says 报告 or report, else technicalDocument;
 *  3. anything else → data, listed as a guess so the user can check it.
 */

const folderRoles: ReadonlyArray<readonly [FileRole, readonly string[]]> = [
  ['map', ['map', 'maps', '图件', '专题图', '成果图件']],
  ['report', ['report', 'reports', '报告', '成果报告']],
  ['metadata', ['metadata', 'meta', '元数据']],
  ['technicalDocument', ['doc', 'docs', 'document', 'documents', 'technical', '技术文档', '文档']],
  ['data', ['data', '数据', '矢量', '栅格', 'vector', 'raster']],
];

const dataExtensions = new Set([
  'shp', 'shx', 'dbf', 'prj', 'cpg', 'sbn', 'sbx', 'qix', 'tif', 'tiff', 'tfw', 'ovr', 'gpkg', 'img', 'ige',
  'csv', 'xls', 'xlsx', 'geojson', 'json', 'kml', 'kmz', 'gml', 'mdb', 'accdb', 'las', 'laz', 'sqlite', 'vrt', 'nc', 'hdf', 'jp2',
]);
const documentExtensions = new Set(['pdf', 'doc', 'docx', 'wps', 'ofd', 'rtf', 'odt']);

export const roleRuleSchema = z.object({
  match: z.string({ error: '规则缺少 match（路径通配符）' }).check(z.minLength(1, 'match 不能为空')),
  role: fileRoleSchema,
});
export type RoleRule = z.infer<typeof roleRuleSchema>;

/** chengguo.roles.json: `{ rules: [...] }` or `{ "<glob>": "<role>" }`. */
export const roleRulesFileSchema = z.union([
  z.pipe(z.object({ rules: z.array(roleRuleSchema) }), z.transform((f) => f.rules)),
  z.pipe(z.record(z.string(), fileRoleSchema), z.transform((r) => Object.entries(r).map(([match, role]) => ({ match, role })))),
]);

export interface RoleAssignment {
  readonly role: FileRole;
  /** How the role was decided: a rule, a folder, an extension, or a guess the user should check. */
  readonly by: 'rule' | 'folder' | 'extension' | 'default';
}

/** Glob → anchored, case-insensitive regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` anything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 'i');
}

export function compileRules(rules: readonly RoleRule[]): Array<{ re: RegExp; role: FileRole; match: string }> {
  return rules.map((r) => ({ re: globToRegExp(r.match), role: r.role, match: r.match }));
}

export function assignRole(path: string, rules: ReadonlyArray<{ re: RegExp; role: FileRole }> = []): RoleAssignment {
  for (const rule of rules) if (rule.re.test(path)) return { role: rule.role, by: 'rule' };

  const segments = path.split('/');
  const name = segments.pop() ?? path;
  for (const folder of [...segments].reverse()) {
    const f = folder.toLowerCase();
    const hit = folderRoles.find(([, names]) => names.includes(f));
    if (hit) return { role: hit[0], by: 'folder' };
  }

  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const ext = dot > 0 ? lower.slice(dot + 1) : '';
  if (ext === 'xml') return { role: 'metadata', by: 'extension' };
  if (dataExtensions.has(ext)) return { role: 'data', by: 'extension' };
  if (documentExtensions.has(ext)) {
    return { role: /报告|report/i.test(name) ? 'report' : 'technicalDocument', by: 'extension' };
  }
  return { role: 'data', by: 'default' };
}
