/**
 * Chinese keyword search without a search engine: names and contents are
 * cut into overlapping character bigrams at write time (“国土调查” → 国土,
 * 土调, 调查) — the usual way to index CJK text that has no spaces — and
 * Latin letters/digits into lower-case words. A query keyword is cut the same
 * way and the catalogue intersects the index partitions of a few of its terms;
 * the fetched entry is then checked to contain the whole keyword.
 *
 * Limits (documented for users): a keyword needs at least two characters;
 * the name is indexed in full, the content only in its first
 * `contentIndexChars` characters (an entry's index items are written in
 * batches of 25, so this bounds the cost of a registration).
 */
export const contentIndexChars = 300;
/** Terms of one query keyword that are intersected by key; the rest is checked on the entry. */
export const maxTermsPerKeyword = 3;

const cjk = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

export function terms(text: string): string[] {
  const out = new Set<string>();
  let run = '';
  let word = '';
  const flushRun = () => {
    for (let i = 0; i + 1 < run.length; i += 1) out.add(run.slice(i, i + 2));
    run = '';
  };
  const flushWord = () => {
    if (word.length >= 2) out.add(word.toLowerCase());
    word = '';
  };
  for (const ch of text.normalize('NFKC')) {
    if (cjk.test(ch)) {
      flushWord();
      run += ch;
    } else if (/[A-Za-z0-9]/.test(ch)) {
      flushRun();
      word += ch;
    } else {
      flushRun();
      flushWord();
    }
  }
  flushRun();
  flushWord();
  return [...out];
}

/** The terms an entry is indexed under. */
export function entryTerms(name: string, content: string): string[] {
  return [...new Set([...terms(name), ...terms(content.slice(0, contentIndexChars))])];
}

/**
 * The terms of a query keyword to intersect by key: spread over the keyword
 * (first, middle, last) so that a long keyword is still narrowed well.
 */
export function queryTerms(keyword: string): string[] {
  const all = terms(keyword);
  if (all.length <= maxTermsPerKeyword) return all;
  const picks = new Set<string>();
  for (let i = 0; i < maxTermsPerKeyword; i += 1) picks.add(all[Math.round((i * (all.length - 1)) / (maxTermsPerKeyword - 1))]!);
  return [...picks];
}

/** Case- and width-insensitive containment, as the terms are. */
export function textContains(text: string, keyword: string): boolean {
  return text.normalize('NFKC').toLowerCase().includes(keyword.normalize('NFKC').toLowerCase().trim());
}
