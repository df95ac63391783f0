/**
 * R3.1: departments at county level and above supervise their own region.
 * GB/T 2260 codes nest by digits: 44xxxx is in 广东省 (440000), 4401xx in
 * 广州市 (440100); 100000 stands for the national level and covers all.
 */
export const nationalRegion = '100000';

export function regionCovers(outer: string, inner: string): boolean {
  if (outer === nationalRegion) return true;
  if (inner === nationalRegion) return false;
  const prefix = outer.endsWith('0000') ? outer.slice(0, 2) : outer.endsWith('00') ? outer.slice(0, 4) : outer;
  return inner.startsWith(prefix);
}

/** An organisation code is `<region>-<kind>` (shared/schemas/identity.ts), so its region is its first six digits. */
export function regionOfOrg(orgCode: string): string {
  return orgCode.slice(0, 6);
}
