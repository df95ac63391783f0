import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditChainStore } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { AuthorityTableChangedError, authorityTableSchema, type AuthorityTable, type AuthorityTableStore } from '#shared/publication/authority.ts';
import { documentClient, keys } from './dynamo.ts';

/** AUTHORITY / V#<n> per version (never overwritten) and AUTHORITY / CURRENT (the copy in force); both with the audit record in one transaction. */
export class DynamoAuthorityTableStore implements AuthorityTableStore {
  constructor(
    private readonly table: string,
    /** Defaults to the logs table from the environment; tests may pass another. */
    private readonly auditStore?: AuditChainStore,
  ) {}

  private async read(key: { pk: string; sk: string }): Promise<AuthorityTable | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...t } = out.Item;
    return authorityTableSchema.parse(t);
  }

  current(): Promise<AuthorityTable | undefined> {
    return this.read(keys.authorityCurrent());
  }

  version(n: number): Promise<AuthorityTable | undefined> {
    return this.read(keys.authorityVersion(n));
  }

  async put(table: AuthorityTable, audit: AuditEntry): Promise<void> {
    const previous = table.version - 1;
    const changed = () => new AuthorityTableChangedError(previous);
    await auditedWrite({
      ...(this.auditStore ? { store: this.auditStore } : {}),
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...keys.authorityCurrent(), ...table },
              // Optimistic lock: the current table must still be the one the change was made on (none yet = version 0, the seed).
              ...(previous === 0
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: '#v = :previous', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':previous': previous } }),
            },
          },
          onConditionFailed: changed,
        },
        {
          item: { Put: { TableName: this.table, Item: { ...keys.authorityVersion(table.version), ...table }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: changed,
        },
      ],
      entry: audit,
    });
  }
}

export function authorityTableStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoAuthorityTableStore {
  return new DynamoAuthorityTableStore(requireEnv(envNames.registryTable, env));
}
