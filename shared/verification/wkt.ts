/**
 * A small parser for OGC Well-Known Text CRS definitions: WKT1 in the ESRI
 * flavour that GDAL writes into .prj files, WKT1 OGC as GeoPackages store it,
 * and WKT2 as newer tools emit it. It builds the bracket tree only; crs.ts
 * reads meaning from it.
 */
export interface WktNode {
  readonly keyword: string;
  readonly args: ReadonlyArray<WktNode | string | number>;
}

export class WktSyntaxError extends Error {}

export function parseWkt(text: string): WktNode {
  const s = text.replace(/^\uFEFF/, '');
  let i = 0;

  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };

  const node = (): WktNode => {
    skipSpace();
    const start = i;
    while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
    const keyword = s.slice(start, i);
    if (!keyword) throw new WktSyntaxError(`位置 ${i} 处应为关键字`);
    skipSpace();
    const open = s[i];
    if (open !== '[' && open !== '(') return { keyword, args: [] };
    const close = open === '[' ? ']' : ')';
    i++;
    const args: Array<WktNode | string | number> = [];
    for (;;) {
      skipSpace();
      const c = s[i];
      if (c === undefined) throw new WktSyntaxError('括号未闭合');
      if (c === close) {
        i++;
        break;
      }
      if (c === '"') {
        let value = '';
        i++;
        for (;;) {
          const ch = s[i];
          if (ch === undefined) throw new WktSyntaxError('引号未闭合');
          i++;
          if (ch === '"') {
            if (s[i] === '"') {
              value += '"';
              i++;
              continue;
            }
            break;
          }
          value += ch;
        }
        args.push(value);
      } else if (/[-+.\d]/.test(c)) {
        const start = i;
        while (i < s.length && /[-+.\deE]/.test(s[i]!)) i++;
        const n = Number(s.slice(start, i));
        if (!Number.isFinite(n)) throw new WktSyntaxError(`位置 ${start} 处数值无效`);
        args.push(n);
      } else {
        args.push(node());
      }
      skipSpace();
      if (s[i] === ',') i++;
      else if (s[i] !== close) throw new WktSyntaxError(`位置 ${i} 处应为逗号或右括号`);
    }
    return { keyword, args };
  };

  const root = node();
  skipSpace();
  if (i < s.length) throw new WktSyntaxError(`位置 ${i} 之后有多余内容`);
  return root;
}

export function children(node: WktNode, ...keywords: string[]): WktNode[] {
  const wanted = keywords.map((k) => k.toUpperCase());
  return node.args.filter(
    (a): a is WktNode => typeof a === 'object' && wanted.includes(a.keyword.toUpperCase()),
  );
}

export function child(node: WktNode, ...keywords: string[]): WktNode | undefined {
  return children(node, ...keywords)[0];
}

export function nameOf(node: WktNode | undefined): string {
  const first = node?.args[0];
  return typeof first === 'string' ? first : '';
}

export function numberArg(node: WktNode | undefined, index: number): number | undefined {
  const v = node?.args[index];
  return typeof v === 'number' ? v : undefined;
}

/** The EPSG code in AUTHORITY["EPSG","4490"] (WKT1) or ID["EPSG",4490] (WKT2) directly under `node`. */
export function epsgOf(node: WktNode): number | null {
  for (const id of children(node, 'AUTHORITY', 'ID')) {
    if (nameOf(id).toUpperCase() !== 'EPSG') continue;
    const code = Number(id.args[1]);
    if (Number.isInteger(code)) return code;
  }
  return null;
}
