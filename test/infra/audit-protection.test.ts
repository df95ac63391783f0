/**
 * Issue 11 §3 (R10.1): no function role can delete or edit an audit record
 * or a chain head. Every role that may write the logs table carries an
 * explicit Deny of DeleteItem / UpdateItem / BatchWriteItem on the audit
 * chains' partition keys (IAM dynamodb:LeadingKeys), and those patterns cover
 * the keys the adapter actually writes, national and per province.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo.ts';
import { auditChainDeniedActions, auditChainLeadingKeys } from '#infra/constructs/chengguo-function.ts';
import { manifest } from '#infra/manifest.ts';
import { allShards } from '#shared/audit/shards.ts';
import { asArray, resourcesOf, synthChengguo, type Synthesised } from './synth.ts';

let s: Synthesised;
beforeAll(() => {
  s = synthChengguo();
});

type Statement = Record<string, unknown>;
const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:*', '*'];
const onLogsTable = (st: Statement) => JSON.stringify(st['Resource'] ?? '').includes('LogsTable');
const actions = (st: Statement) => asArray(st['Action'] as string | string[]);

/** Every role of every template with the statements of the policies attached to it. */
function roleStatements(): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const [stackPath, template] of s.templates.all) {
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      const statements = asArray((policy.Properties?.['PolicyDocument'] as { Statement: Statement | Statement[] }).Statement);
      for (const role of asArray(policy.Properties?.['Roles'] as unknown[])) {
        const id = `${stackPath}:${JSON.stringify(role)}`;
        byRole.set(id, [...(byRole.get(id) ?? []), ...statements]);
      }
    }
  }
  return byRole;
}

const isAuditDeny = (st: Statement) =>
  st['Effect'] === 'Deny' &&
  onLogsTable(st) &&
  JSON.stringify((st['Condition'] as Record<string, unknown> | undefined)?.['ForAnyValue:StringLike']) === JSON.stringify({ 'dynamodb:LeadingKeys': [...auditChainLeadingKeys] });

/** IAM StringLike: * any run of characters, ? one character. */
function like(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

describe('R10.1 audit records are protected: no function role can delete or overwrite them by DeleteItem/UpdateItem (issue 11 §3)', () => {
  it('every role that may write the logs table (outside SECREC#) denies DeleteItem, UpdateItem and BatchWriteItem on the audit chain keys', () => {
    // prepare
    const roles = roleStatements();
    // act
    const writers = [...roles].filter(([, sts]) =>
      sts.some((st) => st['Effect'] !== 'Deny' && onLogsTable(st) && !JSON.stringify(st['Condition'] ?? {}).includes('SECREC#') && actions(st).some((a) => writeActions.includes(a))),
    );
    const unprotected = writers.filter(([, sts]) => !sts.some((st) => isAuditDeny(st) && auditChainDeniedActions.every((a) => actions(st).includes(a)))).map(([id]) => id);
    // assess
    const expected = manifest.functions.filter((f) => f.tables?.logs === 'readWrite').length;
    expect(expected).toBeGreaterThan(0);
    expect(writers.length).toBeGreaterThanOrEqual(expected);
    expect(unprotected).toEqual([]);
  });

  it('the denied leading keys cover every chain the writer uses (national and each province) and nothing else it writes', () => {
    // prepare
    const chainKeys = allShards.flatMap((shard) => [keys.auditHead(shard).pk, keys.auditRecord(1, shard).pk]);
    const others = [keys.ping('x').pk, keys.scheduleRun('x').pk, 'SECREC#2026-12-01', keys.integrityRun('2026-12-01', 'x').pk];
    // act
    const covered = (pk: string) => auditChainLeadingKeys.some((p) => like(p, pk));
    // assess
    expect(chainKeys.filter((pk) => !covered(pk))).toEqual([]);
    expect(others.filter(covered)).toEqual([]);
  });

  it('no role holds an Allow of dynamodb:* or * on the logs table that the Deny would have to catch alone', () => {
    const broad = [...roleStatements()].flatMap(([id, sts]) => sts.filter((st) => st['Effect'] !== 'Deny' && onLogsTable(st) && actions(st).some((a) => a === 'dynamodb:*' || a === '*')).map(() => id));
    expect(broad).toEqual([]);
  });
});
