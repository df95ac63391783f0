import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CustodyRecords } from '#shared/ports/custody.ts';
import type { ProblemListSide, ProblemState, ProblemStore, QualityProblem, ResultFiles } from '#shared/feedback/problems.ts';
import type { AuditedItem } from '#adapters/audited-write.ts';
import { openStates, problemListSides } from '#shared/feedback/states.ts';
import { parseProblem, problemKey } from './dynamo-feedback-read.ts';

export { problemKey } from './dynamo-feedback-read.ts';
import { withSupervisionItems } from './dynamo-supervision.ts';

type Item = Record<string, unknown>;

/**
 * Quality problems (R19.2, R19.3) on the registry table:
 *   PROBLEM#<id>  META   one problem with its timeline
 *       gsi2: PROBLEMSOF#<resultNumber> / <reportedAt>#<id>   a result's problems, by time
 *   PROBLEMLIST#custodian#<custodianOrg> / <reportedAt>#<id>   a copy for the custodian's list across results (issue 13)
 *   PROBLEMLIST#organiser#<organiserOrg> / <reportedAt>#<id>   a copy for the organiser's list, once escalated (R19.3)
 * Every write carries its audit record and its clock and counter items (withSupervisionItems: one transaction); the
 * copies are put in the same transaction as the problem (problemCopies), so a list never shows another state.
 */
export const problemListKey = (side: ProblemListSide, org: string, sortKey: string) => ({ pk: `PROBLEMLIST#${side}#${org}`, sk: sortKey });
const sortKeyOf = (p: QualityProblem) => `${p.reportedAt}#${p.problemId}`;

export function problemItem(p: QualityProblem): Item {
  return { ...problemKey(p.problemId), gsi2pk: `PROBLEMSOF#${p.resultNumber}`, gsi2sk: sortKeyOf(p), attachmentCount: p.attachments?.length ?? 0, ...p };
}

/** The list copies of a problem (unconditional puts beside the problem's conditional one, in its transaction). */
export function problemCopies(table: string, p: QualityProblem): AuditedItem[] {
  return problemListSides(p).map((side) => ({ item: { Put: { TableName: table, Item: { ...problemListKey(side, side === 'custodian' ? p.custodianOrg : p.organiserOrg, sortKeyOf(p)), ...p } } } }));
}

/**
 * The condition of a problem's Put: the state it was read in and the number of attachments it was read with
 * (`attachmentsBefore`, default the problem's own: a write that adds none), so that an attachment declared
 * meanwhile is never dropped (items written before attachments existed have no count: 0).
 */
export function problemCondition(problem: QualityProblem, from: ProblemState, attachmentsBefore = problem.attachments?.length ?? 0) {
  return {
    ConditionExpression: attachmentsBefore === 0 ? '#state = :from AND (attribute_not_exists(#ac) OR #ac = :ac)' : '#state = :from AND #ac = :ac',
    ExpressionAttributeNames: { '#state': 'state', '#ac': 'attachmentCount' },
    ExpressionAttributeValues: { ':from': from, ':ac': attachmentsBefore },
  };
}

/** +1 when a problem becomes open (质量问题处理中), −1 when it stops being open, else 0. */
export function openDelta(from: ProblemState, to: ProblemState): number {
  return (openStates.includes(to) ? 1 : 0) - (openStates.includes(from) ? 1 : 0);
}

/**
 * R19.3: the catalogue entry's count of open major problems (`openQualityProblems` on CAT#<n>/META), moved in the
 * problem's own transaction: the registry stream then republishes the public catalogue page and STAC item with
 * 质量问题处理中 while it is above 0. The entry's version is not changed (the entry's content did not change).
 */
function openCountItem(table: string, resultNumber: string, delta: number) {
  return {
    item: {
      Update: {
        TableName: table,
        Key: { pk: `CAT#${resultNumber}`, sk: 'META' },
        UpdateExpression: 'ADD #open :d',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#open': 'openQualityProblems' },
        ExpressionAttributeValues: { ':d': delta },
      },
    },
    onConditionFailed: () => new ConflictError('ENTRY_MISSING', `成果 ${resultNumber} 的目录条目不存在`),
  };
}

const parse = parseProblem;

export class DynamoProblemStore implements ProblemStore {
  private readonly db: RegistryAccess;
  constructor(db: RegistryAccess) {
    this.db = withSupervisionItems(db);
  }

  async get(problemId: string): Promise<QualityProblem | undefined> {
    const item = await this.db.get(problemKey(problemId));
    return item ? parse(item) : undefined;
  }

  async listFor(resultNumber: string): Promise<QualityProblem[]> {
    const out: QualityProblem[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({ index: 'gsi2', pk: `PROBLEMSOF#${resultNumber}`, forward: false, ...(startKey ? { startKey } : {}) });
      out.push(...page.items.map(parse));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  async listByOrg(side: ProblemListSide, org: string, opts: { limit: number; cursor?: string }): Promise<{ problems: QualityProblem[]; cursor?: string }> {
    const pk = problemListKey(side, org, '').pk;
    const page = await this.db.query({ pk, forward: false, limit: opts.limit, ...(opts.cursor ? { startKey: { pk, sk: opts.cursor } } : {}) });
    const last = page.lastKey?.['sk'];
    return { problems: page.items.map(parse), ...(typeof last === 'string' ? { cursor: last } : {}) };
  }

  async create(problem: QualityProblem, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: { Put: { TableName: this.db.table, Item: problemItem(problem), ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => new ConflictError('PROBLEM_EXISTS', `质量问题编号 ${problem.problemId} 已存在，请重试`),
        },
        ...problemCopies(this.db.table, problem),
      ],
      entry,
    );
  }

  async update(problem: QualityProblem, from: ProblemState, entry: AuditEntry, attachmentsBefore?: number): Promise<void> {
    const delta = openDelta(from, problem.state);
    await this.db.write(
      [
        {
          item: { Put: { TableName: this.db.table, Item: problemItem(problem), ...problemCondition(problem, from, attachmentsBefore) } },
          onConditionFailed: () => new ConflictError('PROBLEM_CHANGED', '该质量问题刚被他人处理，本次操作未执行；请刷新后重试'),
        },
        ...problemCopies(this.db.table, problem),
        ...(delta !== 0 ? [openCountItem(this.db.table, problem.resultNumber, delta)] : []),
      ],
      entry,
    );
  }
}

/** The verified package's paths of a result: the newest custody copy recorded for it, and that version's verified file list. */
export class CustodyResultFiles implements ResultFiles {
  constructor(private readonly records: Pick<CustodyRecords, 'findCopy' | 'listVersionFiles'>) {}

  async list(entry: { resultNumber: string; submissionId: string }): Promise<string[]> {
    let n = 0;
    for (let k = 1; k <= 99 && (await this.records.findCopy(entry.resultNumber, k)); k += 1) n = k;
    if (n === 0) return [];
    return (await this.records.listVersionFiles(entry.submissionId, n)).map((f) => f.path);
  }
}
