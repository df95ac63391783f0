import type { QualityProblem } from '#shared/feedback/problems.ts';

type Item = Record<string, unknown>;

/** PROBLEM#<id>/META (adapters/dynamo-feedback.ts writes it): the key and the item as a problem. */
export const problemKey = (problemId: string) => ({ pk: `PROBLEM#${problemId}`, sk: 'META' });

export function parseProblem(item: Item): QualityProblem {
  const { pk: _a, sk: _b, gsi2pk: _c, gsi2sk: _d, attachmentCount: _e, ...rest } = item;
  return rest as unknown as QualityProblem;
}

/** One problem by id, read only (the verification task kind's read: no write code in the tasks facility's bundles, issue 10). */
export class DynamoProblemReader {
  constructor(private readonly db: { get(key: { pk: string; sk: string }): Promise<Item | undefined> }) {}

  async get(problemId: string): Promise<QualityProblem | undefined> {
    const item = await this.db.get(problemKey(problemId));
    return item ? parseProblem(item) : undefined;
  }
}
