/** The GB/T 2260 tree (province → city → county) for the region pickers, from the same table the API checks codes against. */
export interface RegionNode {
  readonly value: string;
  readonly label: string;
  children?: RegionNode[];
}

let tree: Promise<RegionNode[]> | undefined;

export function regionTree(): Promise<RegionNode[]> {
  tree ??= import('../../shared/reference/gbt2260.json').then((m) => build((m.default as { codes: Record<string, string> }).codes));
  return tree;
}

function build(codes: Record<string, string>): RegionNode[] {
  const nodes = new Map<string, RegionNode>();
  const roots: RegionNode[] = [];
  const sorted = Object.keys(codes).sort();
  for (const code of sorted) nodes.set(code, { value: code, label: codes[code] ?? code });
  for (const code of sorted) {
    const node = nodes.get(code)!;
    const province = `${code.slice(0, 2)}0000`;
    const city = `${code.slice(0, 4)}00`;
    const parent = code === province ? undefined : code !== city && nodes.has(city) ? nodes.get(city) : nodes.get(province);
    if (!parent || parent === node) roots.push(node);
    else (parent.children ??= []).push(node);
  }
  return roots;
}


let names: Promise<Map<string, string>> | undefined;

/** Region names by code, for showing a code as 名称（代码）. */
export function regionNames(): Promise<Map<string, string>> {
  names ??= import('../../shared/reference/gbt2260.json').then((m) => new Map(Object.entries((m.default as { codes: Record<string, string> }).codes)));
  return names;
}
