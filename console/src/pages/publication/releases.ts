/**
 * The release versions (发布版本) this user can see, read from the catalogue search: the API has no list of
 * publication requests yet, and a release version's catalogue entry carries where its publication stands.
 */
import { api } from '../../api.ts';
import type { CatalogueEntry, CatalogueSearch } from '../../contracts.ts';

export const releaseStateLabels = { pending: '待审批发布', approved: '已批准（待发布）', released: '已发布', withdrawn: '已撤回' } as const;
export type ReleaseEntry = CatalogueEntry & { release: NonNullable<CatalogueEntry['release']> };

/** Up to `pages` pages of 100 entries, newest search order; only release versions. */
export async function releaseEntries(q: string | undefined, pages = 5): Promise<ReleaseEntry[]> {
  const out: ReleaseEntry[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i += 1) {
    const page = await api<CatalogueSearch>('GET', '/catalogue', { query: { limit: 100, q, cursor } });
    out.push(...page.items.filter((e): e is ReleaseEntry => e.release !== undefined));
    cursor = page.cursor;
    if (!cursor) break;
  }
  return out;
}
