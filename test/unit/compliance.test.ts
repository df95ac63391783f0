import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The project's own list of requirement ids (docs/requirements.md), never the team folder beside a checkout.
const requirements = readFileSync(new URL('../../docs/requirements.md', import.meta.url), 'utf8');
const compliance = readFileSync(new URL('../../docs/compliance.md', import.meta.url), 'utf8');

describe('docs/compliance.md maps every requirement id (R1.1 … R22.1)', () => {
  const ids = [...requirements.matchAll(/^- (R\d+\.\d+)/gm)].map((m) => m[1]!);

  it('finds the requirement ids in the regulation summary', () => {
    expect(ids.length).toBeGreaterThan(30);
  });

  it('has a row for each id, saying where it lives or that it is not built yet', () => {
    const rows = new Map([...compliance.matchAll(/^\| (R\d+\.\d+) \|(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const missing = ids.filter((id) => !rows.has(id));
    expect(missing).toEqual([]);
    for (const id of ids) expect(rows.get(id)!.trim().length, id).toBeGreaterThan(10);
  });

  it('names only files that exist', () => {
    const files = [...compliance.matchAll(/`((?:shared|functions|infra|statemachines|test|cli|bench)\/[^`\s]+\.(?:ts|json))`/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    const absent = files.filter((f) => {
      try {
        readFileSync(new URL(`../../${f}`, import.meta.url));
        return false;
      } catch {
        return true;
      }
    });
    expect(absent).toEqual([]);
  });
});
